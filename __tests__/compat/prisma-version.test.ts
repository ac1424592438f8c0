import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  capabilitiesOf,
  capabilityNote,
  driftJudge,
  projectPrisma,
  readPrismaVersion,
  unsupportedIndex,
  type ProjectPrisma,
} from '../../src/compat/prisma-version';
import type { IndexSpec } from '../../src/rules/types';
import { tempProject, EXAMPLE_SCHEMA } from '../support/cli';
import { validateWithPrismaMajor, type ValidationCache } from '../../src/schema/validate';
import { loadAndPlan } from '../../src/cli/context';
import { planGeneration } from '../../src/generate/generate';
import { allRules } from '../../src/rules/registry';

const read = (version: string, major: number, minor: number, patch = 0): ProjectPrisma => ({
  version: { major, minor, patch },
  basis: 'read',
  source: `package.json devDependencies.prisma (${version})`,
});
const partial: IndexSpec = {
  kind: 'index',
  table: 't',
  columns: [{ column: 'a', field: 'a' }],
  method: 'btree',
  unique: false,
  where: { kind: 'null-test', column: 'a', isNull: false },
  include: [],
  extensions: [],
};
const gin: IndexSpec = {
  kind: 'index',
  table: 't',
  columns: [{ column: 'd', field: 'd', opclass: 'jsonb_path_ops', prismaOps: 'JsonbPathOps' }],
  method: 'gin',
  unique: false,
  include: [],
  extensions: [],
};
const plain: IndexSpec = { ...partial, where: undefined };
const noSyntax = { warnings: [], previewFeatures: [] };

describe('capabilities by version', () => {
  test('partial indexes and grouped folders start at 7.4.0; type:/ops: at 4.0.0', () => {
    expect(capabilitiesOf(read('7.3.9', 7, 3, 9))).toMatchObject({
      partialIndexes: false,
      groupedFolders: false,
      extendedIndexes: true,
      validatorMajor: 7,
    });
    expect(capabilitiesOf(read('7.4.0', 7, 4))).toMatchObject({
      partialIndexes: true,
      groupedFolders: true,
      validatorMajor: 7,
    });
    expect(capabilitiesOf(read('6.19.3', 6, 19, 3))).toMatchObject({
      partialIndexes: false,
      extendedIndexes: true,
      validatorMajor: 6,
    });
    expect(capabilitiesOf(read('5.22.0', 5, 22))).toMatchObject({ partialIndexes: false, validatorMajor: 5 });
    expect(capabilitiesOf(read('3.15.2', 3, 15, 2))).toMatchObject({ extendedIndexes: false, validatorMajor: null });
  });

  test('unknown: Prisma 7.10 assumed and said, never enough for --group table', () => {
    const p = projectPrisma(undefined, noSyntax);
    expect(p).toMatchObject({ basis: 'assumed', version: { major: 7, minor: 10 } });
    expect(p.source).toMatch(/no version found .*Prisma 7\.10\.0 assumed/);
    expect(capabilitiesOf(p)).toMatchObject({ partialIndexes: true, groupedFolders: false });
  });

  test("unknown, the schema's syntax decides: a datasource url (legacy.ts) means Prisma 6; the partialIndexes preview means 7.4+", () => {
    const legacy = projectPrisma(undefined, {
      warnings: [{ code: 'legacy-datasource-url', message: '' }],
      previewFeatures: [],
    });
    expect(legacy).toMatchObject({ basis: 'schema', version: { major: 6 } });
    expect(capabilitiesOf(legacy).partialIndexes).toBe(false);
    const preview = projectPrisma(undefined, {
      warnings: [{ code: 'legacy-datasource-url', message: '' }],
      previewFeatures: ['partialIndexes'],
    });
    expect(capabilitiesOf(preview).partialIndexes).toBe(true);
    // A version read from the project wins over the syntax.
    expect(
      projectPrisma(
        { major: 7, minor: 5, patch: 0, source: 'x' },
        { warnings: [{ code: 'legacy-datasource-url', message: '' }], previewFeatures: [] },
      ).basis,
    ).toBe('read');
  });

  test('the reason names the version needed and advises no flag', () => {
    const six = capabilitiesOf(read('6.19.3', 6, 19, 3));
    const reason = unsupportedIndex(six, partial)!;
    expect(reason).toMatch(
      /needs Prisma 7\.4 or later, and this project uses Prisma 6\.19\.3 \(from package\.json devDependencies\.prisma \(6\.19\.3\)\)/,
    );
    expect(reason).not.toMatch(/--/);
    expect(unsupportedIndex(six, plain)).toBeUndefined();
    expect(unsupportedIndex(six, gin)).toBeUndefined();
    expect(unsupportedIndex(capabilitiesOf(read('3.15.2', 3, 15, 2)), gin)).toMatch(
      /`type:` and `ops:` on @@index need Prisma 4\.0 or later/,
    );
    expect(unsupportedIndex(capabilitiesOf(read('7.4.0', 7, 4)), partial)).toBeUndefined();
  });

  test('plan/check note: one line, only when something is blocked', () => {
    const six = capabilitiesOf(read('6.19.3', 6, 19, 3));
    const note = capabilityNote(six, [partial, plain, partial])!;
    expect(note).toBe(
      'idxgen: 2 proposals cannot be declared with Prisma 6.19.3 (from package.json devDependencies.prisma (6.19.3)) (partial indexes need Prisma 7.4+): generate skips them until Prisma is upgraded\n',
    );
    expect(capabilityNote(six, [plain, gin])).toBeUndefined();
    expect(capabilityNote(capabilitiesOf(read('7.4.0', 7, 4)), [partial])).toBeUndefined();
  });

  test("verify's drift line says which engine judged and whether it is the project's", () => {
    expect(driftJudge('0edf', read('7.10.1', 7, 10, 1))).toBe(
      "drift judged by Prisma 7.10's schema engine (build 0edf), the project's Prisma major (Prisma 7.10.1 (from package.json devDependencies.prisma (7.10.1)))",
    );
    expect(driftJudge('0edf', read('6.19.3', 6, 19, 3))).toMatch(
      /^drift judged by Prisma 7\.10's schema engine \(build 0edf\), not by the project's Prisma 6\.19\.3 .*no Prisma 6 schema engine/,
    );
  });
});

describe('readPrismaVersion', () => {
  test('node_modules/prisma wins over package.json and says so', () => {
    const p = tempProject({
      'package.json': JSON.stringify({ devDependencies: { prisma: '^7.4.0' } }),
      'node_modules/prisma/package.json': JSON.stringify({ version: '6.19.3' }),
    });
    try {
      expect(readPrismaVersion(p.dir)).toEqual({
        major: 6,
        minor: 19,
        patch: 3,
        source: `${path.join('node_modules', 'prisma', 'package.json')} (6.19.3)`,
      });
    } finally {
      p.cleanup();
    }
  });
  test('a dependency named __proto__ or constructor is no version', () => {
    const p = tempProject({ 'package.json': '{"devDependencies": {"constructor": "1"}}' });
    try {
      expect(readPrismaVersion(p.dir)).toBeUndefined();
    } finally {
      p.cleanup();
    }
  });
});

const SCHEMA_6 = fs
  .readFileSync(EXAMPLE_SCHEMA, 'utf8')
  .replace(/^  provider = "postgresql"$/m, '  provider = "postgresql"\n  url      = env("DATABASE_URL")');

/** planGeneration's input for the project in `dir`: every proposal, info included, one statement a folder. */
function generateInput(dir: string) {
  const { schema, plan } = loadAndPlan(dir, {});
  return {
    plan,
    model: schema.model,
    sources: schema.sources,
    ruleIds: allRules.map((r) => r.meta.id),
    existing: { folders: [], hasLockFile: false },
    timestamp: '20260101000000',
    options: { group: 'statement' as const, includeInfo: true, allowDrift: false, previewFeatures: true },
  };
}

describe("the project's own validator", () => {
  test('Prisma 6.19.3 rejects where: and partialIndexes; Prisma 7 accepts them', () => {
    const edited = SCHEMA_6.replace(
      'generator client {\n  provider = "prisma-client-js"\n',
      'generator client {\n  provider = "prisma-client-js"\n  previewFeatures = ["partialIndexes"]\n',
    ).replace(/^(model Comment \{[^}]*?)\n\}/m, '$1\n  @@index([authorId], where: raw("\\"deletedAt\\" IS NULL"))\n}');
    expect(edited).toContain('where: raw(');
    const six = validateWithPrismaMajor([{ path: 'schema.prisma', content: edited }], 6);
    expect(six.map((d) => d.message)).toEqual(expect.arrayContaining(['No such argument.']));
    expect(six.some((d) => /preview feature "partialIndexes" is not known/.test(d.message))).toBe(true);
    expect(validateWithPrismaMajor([{ path: 'schema.prisma', content: edited }], 5).map((d) => d.message)).toEqual(
      expect.arrayContaining(['No such argument.']),
    );
    expect(validateWithPrismaMajor([{ path: 'schema.prisma', content: SCHEMA_6 }], 6)).toEqual([]);
    expect(validateWithPrismaMajor([{ path: 'schema.prisma', content: SCHEMA_6 }], 5)).toEqual([]);
    expect(
      validateWithPrismaMajor([{ path: 'schema.prisma', content: edited.replace(/^  url .*\n/m, '') }], 7),
    ).toEqual([]);
  });

  test('an edit the project validator rejects is an idxgen bug, before anything is written; errors the schema already had are notes', () => {
    const p = tempProject({ 'prisma/schema.prisma': SCHEMA_6 });
    try {
      const input = generateInput(p.dir);
      // Prisma 7 project: partial indexes are written.
      const seven = planGeneration({ ...input, prisma: capabilitiesOf(read('7.10.1', 7, 10, 1)) });
      expect(seven.previewFeaturesAdded).toEqual(['partialIndexes']);
      // Prisma 6 project: they are skipped with the reason, the rest still validates with Prisma 6.
      const six = planGeneration({
        ...input,
        prisma: capabilitiesOf(read('6.19.3', 6, 19, 3)),
        validateForProject: (s) => validateWithPrismaMajor(s, 6),
      });
      expect(six.previewFeaturesAdded).toEqual([]);
      expect(six.skipped.filter((s) => s.code === 'needs-newer-prisma').length).toBeGreaterThan(0);
      expect(six.skipped.every((s) => s.code !== 'needs-preview-feature')).toBe(true);
      expect(six.schemaEdits.every((e) => !e.after.includes('where:') && !e.after.includes('partialIndexes'))).toBe(
        true,
      );
      expect(six.projectValidatorNotes).toEqual([]);
      // Without the version gate the Prisma 6 validator catches the edit: an internal error, nothing returned to write.
      expect(() => planGeneration({ ...input, validateForProject: (s) => validateWithPrismaMajor(s, 6) })).toThrow(
        /idxgen bug: the edited schema does not validate with this project's Prisma: .*No such argument/,
      );
      // Errors the schema already had (the same before and after) are the project's: notes.
      const notes = planGeneration({
        ...input,
        prisma: capabilitiesOf(read('6.19.3', 6, 19, 3)),
        validateForProject: () => [{ file: 'schema.prisma', line: 1, message: 'old problem' }],
      });
      expect(notes.projectValidatorNotes).toEqual(['schema.prisma:1: old problem']);
    } finally {
      p.cleanup();
    }
  });

  test('begun early, the project validator runs before the Prisma 7 check of the edited files and decides the same', () => {
    const p = tempProject({ 'prisma/schema.prisma': SCHEMA_6 });
    try {
      const input = { ...generateInput(p.dir), prisma: capabilitiesOf(read('6.19.3', 6, 19, 3)) };
      const sequential = planGeneration({ ...input, validateForProject: (s) => validateWithPrismaMajor(s, 6) });
      const order: string[] = [];
      // Prisma 7's check of the edited files asks the cache first.
      const cache: ValidationCache = {
        validator: 'test',
        get: (key) => void (key.startsWith('valid-') && order.push('prisma 7')),
        set: () => undefined,
      };
      const early = planGeneration({
        ...input,
        cache,
        validateForProject: () => {
          throw new Error('not called when startProjectValidation is given');
        },
        startProjectValidation: (sources) => {
          order.push('start');
          const diagnostics = validateWithPrismaMajor(sources, 6);
          return () => {
            order.push('wait');
            return diagnostics;
          };
        },
      });
      expect(order).toEqual(['start', 'prisma 7', 'wait']);
      expect(early.schemaEdits).toEqual(sequential.schemaEdits);
      expect(early.folders).toEqual(sequential.folders);
      expect(early.projectValidatorNotes).toEqual([]);
      // Its errors decide as validateForProject's do: new ones are idxgen's bug, old ones notes.
      const edited = (sources: { content: string }[]) =>
        sources.some((s, i) => s.content !== input.sources[i]!.content);
      expect(() =>
        planGeneration({
          ...input,
          startProjectValidation: (sources) => () =>
            edited(sources) ? [{ file: 'schema.prisma', line: 2, message: 'new problem' }] : [],
        }),
      ).toThrow(
        /idxgen bug: the edited schema does not validate with this project's Prisma: schema.prisma:2: new problem/,
      );
      const old = planGeneration({
        ...input,
        startProjectValidation: () => () => [{ file: 'schema.prisma', line: 1, message: 'old problem' }],
      });
      expect(old.projectValidatorNotes).toEqual(['schema.prisma:1: old problem']);
    } finally {
      p.cleanup();
    }
  });
});
