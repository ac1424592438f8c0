import * as fs from 'node:fs';
import * as path from 'node:path';
import { openValidationCache, rememberValidated, validatedBefore } from '../../src/io/validation-cache';
import { loadSchema } from '../../src/schema/load';
import { knownPreviewFeatures, validateWithPrisma, type ValidationCache } from '../../src/schema/validate';
import { DATASOURCE, runCli, tempProject, UNINDEXED_FK_SCHEMA } from '../support/cli';

const VALID = `${DATASOURCE}\nmodel User {\n  id Int @id\n}\n`;
const INVALID = `${DATASOURCE}\nmodel User {\n  id Int @id\n  posts Post[]\n}\n`;

/** An in-memory cache that records what was stored. */
function memoryCache(validator = 'test-validator'): ValidationCache & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return { validator, entries, get: (k) => entries.get(k), set: (k, v) => void entries.set(k, v) };
}

const validEntries = (cache: { entries: Map<string, string> }) =>
  [...cache.entries.keys()].filter((k) => k.startsWith('valid-'));

describe('validation cache', () => {
  test('a clean schema is remembered and a repeat is answered from the cache', () => {
    const cache = memoryCache();
    expect(validateWithPrisma([{ path: 'schema.prisma', content: VALID }], cache)).toEqual([]);
    expect(validEntries(cache)).toHaveLength(1);
    expect(validateWithPrisma([{ path: 'schema.prisma', content: VALID }], cache)).toEqual([]);
    expect(validEntries(cache)).toHaveLength(1);
  });

  test('failures are never stored, and are reported every time', () => {
    const cache = memoryCache();
    const first = validateWithPrisma([{ path: 'schema.prisma', content: INVALID }], cache);
    expect(first.length).toBeGreaterThan(0);
    expect(validEntries(cache)).toHaveLength(0);
    expect(validateWithPrisma([{ path: 'schema.prisma', content: INVALID }], cache)).toEqual(first);
  });

  test('a hit skips the validator: it is keyed by the exact input', () => {
    const yes: ValidationCache = { validator: 'test-validator', get: () => 'valid', set: () => undefined };
    expect(validateWithPrisma([{ path: 'schema.prisma', content: INVALID }], yes)).toEqual([]);
  });

  test('the key covers every file, its path, its full text and the validator', () => {
    const cache = memoryCache();
    validateWithPrisma([{ path: 'schema.prisma', content: VALID }], cache);
    const [key] = validEntries(cache);
    expect(validateWithPrisma([{ path: 'schema.prisma', content: INVALID }], cache).length).toBeGreaterThan(0);
    validateWithPrisma([{ path: 'other.prisma', content: VALID }], cache);
    validateWithPrisma([{ path: 'schema.prisma', content: `${VALID} ` }], cache);
    validateWithPrisma(
      [
        { path: 'schema.prisma', content: VALID },
        { path: 'more.prisma', content: 'model A {\n  id Int @id\n}\n' },
      ],
      cache,
    );
    expect(new Set(validEntries(cache)).size).toBe(4);
    expect(validEntries(cache)).toContain(key);
    const other = memoryCache('other-validator');
    validateWithPrisma([{ path: 'schema.prisma', content: VALID }], other);
    expect(validEntries(other)).not.toContain(key);
  });

  test('the key tells apart inputs whose texts only run together the same', () => {
    // Each part is hashed after its length: moving text between a path and its content, or between
    // two files, makes another key (a "yes" for one must never answer the other).
    const said: string[] = [];
    const recording: ValidationCache = {
      validator: 'test-validator',
      get: (key) => {
        said.push(key);
        return undefined;
      },
      set: () => undefined,
    };
    const model = 'model A {\n  id Int @id\n}\n';
    // Run together, each pair below is the same text.
    for (const sources of [
      [{ path: 'a.prisma', content: `${VALID}b.prisma${model}` }],
      [
        { path: 'a.prisma', content: VALID },
        { path: 'b.prisma', content: model },
      ],
      [{ path: 'a.prism', content: `a${VALID}` }],
      [{ path: 'a.prisma', content: VALID }],
    ])
      validateWithPrisma(sources, recording);
    expect(said).toHaveLength(4);
    expect(new Set(said).size).toBe(4);
  });

  test('preview features of a validator build idxgen has no list for are cached per validator and a damaged entry is ignored', () => {
    const cache = memoryCache();
    const list = knownPreviewFeatures(cache, { validator: 'another build', features: [] });
    const [key] = [...cache.entries.keys()].filter((k) => k.startsWith('preview-features-'));
    expect(JSON.parse(cache.entries.get(key!)!)).toEqual(list);
    cache.entries.set(key!, '{not json');
    expect(knownPreviewFeatures(cache, { validator: 'another build', features: [] })).toEqual(list);
    // For the pinned build, the recorded list: no cache entry, no WASM.
    const pinned = memoryCache();
    expect(knownPreviewFeatures(pinned)).toEqual(list);
    expect(pinned.entries.size).toBe(0);
  });

  test('legacy sanitization is part of the cached input: a removed preview feature still warns on a hit', () => {
    const legacy = `generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["metrics"]\n}\n${VALID}`;
    const cache = memoryCache();
    const first = loadSchema([{ path: 'schema.prisma', content: legacy }], cache);
    const second = loadSchema([{ path: 'schema.prisma', content: legacy }], cache);
    expect(second.model.warnings).toEqual(first.model.warnings);
    expect(first.model.warnings.map((w) => w.code)).toContain('removed-preview-feature');
  });
});

describe('the file store', () => {
  test('off with IDXGEN_NO_CACHE=1', () => {
    expect(openValidationCache(process.cwd(), { IDXGEN_NO_CACHE: '1' })).toBeUndefined();
  });

  test('lives in node_modules/.cache/idxgen, private to the user; --no-cache writes nothing', async () => {
    const project = tempProject({ 'node_modules/.keep': '', 'prisma/schema.prisma': VALID });
    const dir = path.join(project.dir, 'node_modules', '.cache', 'idxgen');
    try {
      expect((await runCli(['check', '--no-cache'], project.dir)).code).toBe(0);
      expect(fs.existsSync(dir)).toBe(false);
      const first = await runCli(['check'], project.dir);
      expect(first.code).toBe(0);
      expect(fs.readdirSync(dir).some((f) => f.startsWith('valid-'))).toBe(true);
      expect(fs.statSync(dir).mode & 0o077).toBe(0);
      expect(await runCli(['check'], project.dir)).toEqual(first);
    } finally {
      project.cleanup();
    }
  });

  test('the schema files a run found valid are remembered by path, size and mtime, per --schema and --config', async () => {
    const project = tempProject({ 'node_modules/.keep': '', 'prisma/schema.prisma': VALID });
    const file = path.join(project.dir, 'prisma', 'schema.prisma');
    const here = { cwd: project.dir };
    try {
      expect(validatedBefore(here, {})).toBe(false);
      expect((await runCli(['check'], project.dir)).code).toBe(0);
      expect(validatedBefore(here, {})).toBe(true);
      // Another --schema or --config (even naming the same file) is another guess.
      expect(validatedBefore({ ...here, schema: 'prisma/schema.prisma' }, {})).toBe(false);
      expect(validatedBefore({ ...here, config: 'idxgen.config.json' }, {})).toBe(false);
      expect(validatedBefore(here, { IDXGEN_NO_CACHE: '1' })).toBe(false);
      // An edit (size or mtime) makes it a miss; a schema Prisma rejects is never remembered.
      fs.writeFileSync(file, INVALID);
      expect(validatedBefore(here, {})).toBe(false);
      expect((await runCli(['check'], project.dir)).code).toBe(2);
      expect(validatedBefore(here, {})).toBe(false);
      fs.writeFileSync(file, VALID);
      fs.utimesSync(file, new Date(2000, 1, 1), new Date(2000, 1, 1));
      expect(validatedBefore(here, {})).toBe(false);
      rememberValidated(here, {}, ['prisma/schema.prisma']);
      expect(validatedBefore(here, {})).toBe(true);
      fs.rmSync(file);
      expect(validatedBefore(here, {})).toBe(false);
    } finally {
      project.cleanup();
    }
  });

  test('the schema generate writes is remembered valid: the next check neither validates it nor starts a worker', async () => {
    const project = tempProject({ 'node_modules/.keep': '', 'prisma/schema.prisma': UNINDEXED_FK_SCHEMA });
    const file = path.join(project.dir, 'prisma', 'schema.prisma');
    const here = { cwd: project.dir };
    try {
      expect((await runCli(['generate'], project.dir)).code).toBe(0);
      const written = fs.readFileSync(file, 'utf8');
      expect(written).toContain('@@index([authorId], map: "Post_authorId_idx")');
      expect(validatedBefore(here, {})).toBe(true);
      // The store answers for the written text, as the next check asks it: a hit, no validation.
      const store = openValidationCache(project.dir, {})!;
      let hits = 0;
      const probe: ValidationCache = {
        validator: store.validator,
        get: (key) => {
          const value = store.get(key);
          if (value === 'valid') hits++;
          return value;
        },
        set: () => undefined,
      };
      loadSchema([{ path: 'prisma/schema.prisma', content: written }], probe);
      expect(hits).toBe(1);
      // --no-cache: nothing remembered for what it writes.
      fs.writeFileSync(file, UNINDEXED_FK_SCHEMA);
      fs.rmSync(path.join(project.dir, 'prisma', 'migrations'), { recursive: true, force: true });
      fs.rmSync(path.join(project.dir, 'node_modules', '.cache'), { recursive: true, force: true });
      expect((await runCli(['generate', '--no-cache'], project.dir)).code).toBe(0);
      expect(validatedBefore(here, {})).toBe(false);
    } finally {
      project.cleanup();
    }
  });

  test('an unreadable or foreign store is a miss, never an error', () => {
    const project = tempProject({ 'node_modules/.cache/idxgen/.keep': '' });
    try {
      const dir = path.join(project.dir, 'node_modules', '.cache', 'idxgen');
      fs.chmodSync(dir, 0o777); // writable by others: not trusted
      expect(openValidationCache(project.dir, {})).toBeUndefined();
      fs.chmodSync(dir, 0o700);
      const cache = openValidationCache(project.dir, {});
      expect(cache?.get('valid-missing')).toBeUndefined();
    } finally {
      project.cleanup();
    }
  });
});
