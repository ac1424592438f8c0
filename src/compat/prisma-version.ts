/**
 * Prisma version awareness, in one place: which Prisma the project runs (and how we know), and
 * from that plus the schema's own syntax, what idxgen may write for it.
 *
 * Versions of each feature (from Prisma's docs and release notes; re-check before changing):
 * - `type: Gin|Gist|Hash|...` and `ops:` on index fields: preview `extendedIndexes` in 3.5.0,
 *   generally available in 4.0.0.
 * - `partialIndexes` preview and `where:` on `@@index`/`@@unique`: 7.4.0 (Prisma 6.19.3's validator,
 *   prisma-schema-wasm 7.1.1-3.c2990dca, answers P1012 "No such argument" and "preview feature not
 *   known").
 * - One migration.sql run statement by statement (what `--group table` needs): 7.4.0.
 * - Prisma 7 rejects `url` in the datasource; Prisma 5/6 schemas have it (see schema/legacy.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SchemaModel } from '../model/types';
import type { IndexSpec } from '../rules/types';

export interface Semver {
  major: number;
  minor: number;
  patch: number;
}

export interface PrismaVersion extends Semver {
  /** `node_modules/prisma/package.json (6.19.3)`, or `package.json devDependencies.prisma (^7.4.0)`. */
  source: string;
}

/** The Prisma whose behaviour idxgen assumes when nothing says (the validator it bundles). */
export const CURRENT_PRISMA: Semver = { major: 7, minor: 10, patch: 0 };
export const EXTENDED_INDEXES_SINCE: Semver = { major: 4, minor: 0, patch: 0 };
export const PARTIAL_INDEXES_SINCE: Semver = { major: 7, minor: 4, patch: 0 };
/** The first Prisma version that runs each statement of a migration.sql on its own. */
export const SPLITTING_SINCE: Semver = { major: 7, minor: 4, patch: 0 };

export function atLeast(v: Semver, min: Semver): boolean {
  if (v.major !== min.major) return v.major > min.major;
  if (v.minor !== min.minor) return v.minor > min.minor;
  return v.patch >= min.patch;
}

export function formatSemver(v: Semver): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

function parseVersion(text: string): Semver | undefined {
  const m = /^\s*(?:[\^~]|>=|=)?\s*v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?/.exec(text);
  if (!m) return undefined;
  const num = (s: string | undefined) => (s === undefined || s === 'x' || s === '*' ? 0 : Number(s));
  return { major: Number(m[1]), minor: num(m[2]), patch: num(m[3]) };
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Prisma version the project runs: the installed `prisma` CLI, else `@prisma/client`
 * (node_modules, searched from cwd upwards like Node does), else the lowest version the nearest
 * package.json allows (`^7.4.0` → 7.4.0). Undefined when none says.
 */
export function readPrismaVersion(cwd: string): PrismaVersion | undefined {
  for (const pkg of ['prisma', '@prisma/client']) {
    for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
      const file = path.join(dir, 'node_modules', pkg, 'package.json');
      const json = readJson(file);
      const version = typeof json?.version === 'string' ? parseVersion(json.version) : undefined;
      if (version) return { ...version, source: `${path.relative(cwd, file) || file} (${String(json!.version)})` };
      if (path.dirname(dir) === dir) break;
    }
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    const json = readJson(file);
    if (json) {
      for (const field of ['dependencies', 'devDependencies']) {
        const deps = json[field];
        if (typeof deps !== 'object' || deps === null) continue;
        for (const pkg of ['prisma', '@prisma/client']) {
          const range = Object.prototype.hasOwnProperty.call(deps, pkg)
            ? (deps as Record<string, unknown>)[pkg]
            : undefined;
          const version = typeof range === 'string' ? parseVersion(range) : undefined;
          if (version)
            return {
              ...version,
              source: `${path.relative(cwd, file) || 'package.json'} ${field}.${pkg} (${String(range)})`,
            };
        }
      }
      return undefined; // the nearest package.json is the project's: do not look above it
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The project's Prisma as idxgen judges it: read, or inferred from the schema, or assumed. */
export interface ProjectPrisma {
  version: Semver;
  /** `read`: from node_modules or package.json; `schema`: from the schema's syntax; `assumed`: nothing said. */
  basis: 'read' | 'schema' | 'assumed';
  /** One phrase: where the version comes from. */
  source: string;
}

/** What a schema's own syntax says about its Prisma (from the model: legacy.ts warnings, preview features). */
function versionFromSchema(model: Pick<SchemaModel, 'warnings' | 'previewFeatures'>): ProjectPrisma | undefined {
  if (model.previewFeatures.some((f) => f.toLowerCase() === 'partialindexes')) {
    return {
      version: PARTIAL_INDEXES_SINCE,
      basis: 'schema',
      source: 'no version found; the schema enables the partialIndexes preview, so at least Prisma 7.4 is assumed',
    };
  }
  if (model.warnings.some((w) => w.code === 'legacy-datasource-url')) {
    return {
      version: { major: 6, minor: 0, patch: 0 },
      basis: 'schema',
      source: 'no version found; the datasource has `url`, which Prisma 7 rejects, so Prisma 6 is assumed',
    };
  }
  return undefined;
}

export function projectPrisma(
  read: PrismaVersion | undefined,
  model: Pick<SchemaModel, 'warnings' | 'previewFeatures'>,
): ProjectPrisma {
  if (read)
    return { version: { major: read.major, minor: read.minor, patch: read.patch }, basis: 'read', source: read.source };
  return (
    versionFromSchema(model) ?? {
      version: CURRENT_PRISMA,
      basis: 'assumed',
      source: `no version found (no node_modules/prisma, node_modules/@prisma/client or "prisma" in package.json): Prisma ${formatSemver(CURRENT_PRISMA)} assumed`,
    }
  );
}

/** What generate may write for this project's Prisma. */
export interface PrismaCapabilities {
  prisma: ProjectPrisma;
  /** `where:` on @@index and the `partialIndexes` preview feature. */
  partialIndexes: boolean;
  /** `type: Gin|Hash|...` and `ops:` on @@index. */
  extendedIndexes: boolean;
  /** Several statements in one migration.sql (`--group table`). Only from a version read, never assumed. */
  groupedFolders: boolean;
  /** The major version whose schema validator checks the edited schema (5, 6 or 7), or null when idxgen has none for it. */
  validatorMajor: 5 | 6 | 7 | null;
}

export function capabilitiesOf(prisma: ProjectPrisma): PrismaCapabilities {
  const v = prisma.version;
  return {
    prisma,
    partialIndexes: atLeast(v, PARTIAL_INDEXES_SINCE),
    extendedIndexes: atLeast(v, EXTENDED_INDEXES_SINCE),
    groupedFolders: prisma.basis === 'read' && atLeast(v, SPLITTING_SINCE),
    validatorMajor: v.major >= 7 ? 7 : v.major === 6 ? 6 : v.major === 5 ? 5 : null,
  };
}

/** `Prisma 6.19.3 (from package.json devDependencies.prisma (6.19.3))`. */
export function describePrisma(prisma: ProjectPrisma): string {
  return prisma.basis === 'read'
    ? `Prisma ${formatSemver(prisma.version)} (from ${prisma.source})`
    : `Prisma ${formatSemver(prisma.version)} (${prisma.source})`;
}

/**
 * Why this project's Prisma cannot declare the index, or undefined when it can. The reason names
 * the version needed; it never advises a flag (no flag makes an older Prisma accept the syntax).
 */
export function unsupportedIndex(caps: PrismaCapabilities, spec: IndexSpec): string | undefined {
  const lacking: string[] = [];
  if (spec.where !== undefined && !caps.partialIndexes) {
    lacking.push(
      `a partial index (\`where:\` and the partialIndexes preview feature) needs Prisma ${PARTIAL_INDEXES_SINCE.major}.${PARTIAL_INDEXES_SINCE.minor} or later`,
    );
  }
  const extended = spec.method !== 'btree' || spec.columns.some((c) => c.opclass !== undefined);
  if (extended && !caps.extendedIndexes) {
    lacking.push(
      `\`type:\` and \`ops:\` on @@index need Prisma ${EXTENDED_INDEXES_SINCE.major}.${EXTENDED_INDEXES_SINCE.minor} or later`,
    );
  }
  if (lacking.length === 0) return undefined;
  return `${lacking.join('; ')}, and this project uses ${describePrisma(caps.prisma)}, whose schema validator rejects it. Upgrade Prisma to generate it`;
}

/**
 * Who judged drift in verify, in one line. The schema engine idxgen bundles is Prisma 7.10's
 * (@prisma/schema-engine-wasm); when the project runs another major, the line says the verdict
 * is not its own Prisma's.
 */
export function driftJudge(engineVersion: string | null, prisma: ProjectPrisma | undefined): string {
  const engine = `Prisma ${CURRENT_PRISMA.major}.${CURRENT_PRISMA.minor}'s schema engine${engineVersion ? ` (build ${engineVersion})` : ''}`;
  if (!prisma || prisma.version.major === CURRENT_PRISMA.major)
    return `drift judged by ${engine}${prisma ? `, the project's Prisma major (${describePrisma(prisma)})` : ''}`;
  return `drift judged by ${engine}, not by the project's ${describePrisma(prisma)}: idxgen bundles no Prisma ${prisma.version.major} schema engine, so Prisma ${prisma.version.major}'s own verdict may differ`;
}

/**
 * The one line plan and check print when some proposals cannot be declared with the project's
 * Prisma (generate skips them); undefined when every one can.
 */
export function capabilityNote(caps: PrismaCapabilities, specs: readonly { kind: string }[]): string | undefined {
  const blocked = specs.filter(
    (spec): spec is IndexSpec => spec.kind === 'index' && unsupportedIndex(caps, spec as IndexSpec) !== undefined,
  );
  if (blocked.length === 0) return undefined;
  const needs: string[] = [];
  if (blocked.some((s) => s.where !== undefined && !caps.partialIndexes))
    needs.push(`partial indexes need Prisma ${PARTIAL_INDEXES_SINCE.major}.${PARTIAL_INDEXES_SINCE.minor}+`);
  if (
    blocked.some(
      (s) => (s.method !== 'btree' || s.columns.some((c) => c.opclass !== undefined)) && !caps.extendedIndexes,
    )
  )
    needs.push(`\`type:\`/\`ops:\` need Prisma ${EXTENDED_INDEXES_SINCE.major}.${EXTENDED_INDEXES_SINCE.minor}+`);
  return `idxgen: ${blocked.length} proposal${blocked.length === 1 ? '' : 's'} cannot be declared with ${describePrisma(caps.prisma)} (${needs.join('; ')}): generate skips ${blocked.length === 1 ? 'it' : 'them'} until Prisma is upgraded\n`;
}
