/**
 * The shape of a verify run: its input, the six steps and the report (the JSON output is this
 * report, `version: 1`). Every field here is part of the documented JSON format: add fields, never
 * rename or remove them without bumping `version`.
 */
import type { ProjectPrisma } from '../compat/prisma-version';
import type { Config } from '../config/config';
import type { SchemaModel } from '../model/types';
import type { Plan } from '../plan/types';
import type { SchemaSource } from '../schema/source';

export const REPORT_VERSION = 1;

/** Where verify gets a PostgreSQL server. */
export type VerifyTarget = { kind: 'embedded' } | { kind: 'url'; url: string };

export interface VerifyInput {
  /**
   * The schema files Prisma's engine reads: `LoadedSchema.validated` (legacy datasource lines
   * blanked). The raw files work too unless they hold lines Prisma 7 rejects.
   */
  sources: readonly SchemaSource[];
  /** The model built from those files (index spans and declarations are read from it). */
  model: SchemaModel;
  /** Absolute path of the migrations folder. */
  migrationsDir: string;
  target: VerifyTarget;
  /** The plan for the schema as it is now: explains FKs left without an index (step c). */
  plan?: Plan;
  /**
   * The plan of the schema without the declarations of the given indexes (the ones idxgen's
   * migrations create, which the schema declares once generate ran): its entries state the reads
   * each of those indexes serves, and step d runs them. Without it, step d reads `plan`.
   */
  planWithout?: (indexNames: ReadonlySet<string>) => Plan;
  /** The configuration the plan used: a rule switched off explains an FK left without an index. */
  config?: Config;
  /** Rows generated per table for the EXPLAIN evidence (step d). Default 20,000. */
  rowsPerTable?: number;
  /** The project's Prisma (src/compat/prisma-version.ts): step f says whether its engine judged drift. */
  prisma?: ProjectPrisma;
}

export type StepName = 'base' | 'apply' | 'coverage' | 'evidence' | 'rollback' | 'drift';

export type StepStatus = 'pass' | 'fail' | 'skipped';

/** `pg` error fields, as `src/db/apply.ts` reports them. */
export interface VerifyPgError {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based line and column in the file, when PostgreSQL gave a position. */
  line?: number;
  column?: number;
}

export interface StepBase<N extends StepName, D> {
  name: N;
  status: StepStatus;
  /** Wall time of the step in milliseconds (rounded). */
  ms: number;
  /** One line: what passed, or why not. */
  summary: string;
  /** Everything that made the step fail (empty when it passed). */
  problems: string[];
  details: D;
}

// ---------------------------------------------------------------------------------------------
// a. base

export interface BaseDetails {
  /** `migrations`: the folders before the first idxgen one; `schema`: Prisma's from-empty SQL (a synthetic `0_base`). */
  source: 'migrations' | 'schema' | 'none';
  /** Folders applied as the base (source `migrations`). */
  folders: string[];
  /** idxgen declarations left out of the schema before asking for the from-empty SQL (source `schema`). */
  strippedDeclarations: string[];
  /** Indexes idxgen's drop migrations remove, re-created in the base from their down.sql (source `schema`). */
  recreatedForDrops: string[];
  /** Extensions created before the from-empty SQL (used by the schema's types, or declared). */
  extensions: string[];
  /** Statements the base sent. */
  statements: number;
}

// ---------------------------------------------------------------------------------------------
// b. apply

export interface FolderApply {
  folder: string;
  /** idxgen's folder, or one of the project's own that comes after the first idxgen folder. */
  origin: 'idxgen' | 'project';
  ok: boolean;
  /** Queries sent (Prisma >= 7.4 shape: split on every `;`). */
  queries: number;
  ms: number;
  error?: VerifyPgError;
}

export interface OldPrismaResult {
  /** `checked`: applied in a second scratch database, each file as one query. */
  status: 'pass' | 'fail' | 'skipped';
  ms: number;
  /** Per idxgen folder. `needs-7.4`: a --group table folder, whose header says it needs Prisma >= 7.4. */
  folders: { folder: string; result: 'ok' | 'fails' | 'needs-7.4'; error?: VerifyPgError }[];
  /** The catalog after the old shape equals the catalog after the new one. */
  sameCatalog: boolean | null;
  note: string;
}

export type ObjectCheckKind = 'index' | 'dropped-index' | 'check' | 'extension';

export interface ObjectCheck {
  kind: ObjectCheckKind;
  name: string;
  table?: string;
  /** The folder whose statement last changed the object. */
  folder: string;
  ok: boolean;
  /** What was checked, and what was wrong. */
  notes: string[];
}

export interface ApplyDetails {
  folders: FolderApply[];
  objects: ObjectCheck[];
  oldPrisma: OldPrismaResult;
}

// ---------------------------------------------------------------------------------------------
// c. coverage

export interface UncoveredForeignKey {
  table: string;
  schema: string;
  name: string;
  columns: string[];
  /** Why it was left without an index; null when nothing explains it (the step fails). */
  reason: string | null;
}

export interface CoverageDetails {
  /** Foreign keys in the database (or, with relationMode = "prisma", relations in the model). */
  foreignKeys: number;
  source: 'catalog' | 'model';
  uncovered: UncoveredForeignKey[];
}

// ---------------------------------------------------------------------------------------------
// d. evidence

export interface TableLoad {
  table: string;
  schema: string;
  /** Rows asked for, and rows the table holds after the load (CHECK constraints and unique keys can filter). */
  requested: number;
  rows: number;
  ms: number;
  error?: string;
  /** A DEFAULT partition verify added for the rows no partition of the table takes (dropped at the step's end). */
  defaultPartition?: string;
}

export interface IndexEvidence {
  index: string;
  table: string;
  /** The kind of read (`readKind` in evidence.ts): lookup, unique, order, range, in, jsonb-contains, array-contains, trigram; none when no query ran. */
  shape: string;
  /** The query that was EXPLAINed. */
  query: string;
  /** Rows of the table the query matches. */
  matching: number | null;
  /** Rows the table held when the plan was taken. */
  rows: number | null;
  ok: boolean;
  /** Plan nodes that use an index: `Index Scan using "x"`. */
  indexNodes: string[];
  /** The top plan node, e.g. `Limit` or `Seq Scan`. */
  topNode: string | null;
  /** Estimated total cost of the plan. */
  cost: number | null;
  note?: string;
}

export interface EvidenceDetails {
  /** Rows generated per table first; a table whose index is passed over is grown to each next size of `sizes` (evidence.ts). */
  rowsPerTable: number;
  /** The sizes tables are loaded to, smallest first (evidenceSizes in evidence.ts). */
  sizes: number[];
  tables: TableLoad[];
  indexes: IndexEvidence[];
}

// ---------------------------------------------------------------------------------------------
// e. rollback

export interface RollbackDetails {
  folders: FolderApply[];
  /** Differences between the catalog before step b and after every down.sql ran. */
  differences: string[];
  /** Objects the project's own later folders created, left out of the comparison. */
  ignored: string[];
}

// ---------------------------------------------------------------------------------------------
// f. drift

export interface DriftDetails {
  /** The migrations Prisma replayed: the project's folders, or `0_base` + idxgen's. */
  migrations: string[];
  /** SQL Prisma would run to bring the migrations to the schema ('' = no drift). */
  diff: string;
  engineVersion: string | null;
  /** One line: which Prisma's engine judged drift, and whether it is the project's (src/compat/prisma-version.ts). */
  judgedBy?: string;
  /** Statements of `diff` that were already there before idxgen's folders (the project's own drift, reported, not failed). */
  preExisting?: string[];
  /** True when Prisma could not replay the migrations at all (no diff was computed). */
  replayFailed?: boolean;
}

export type BaseStep = StepBase<'base', BaseDetails>;
export type ApplyStep = StepBase<'apply', ApplyDetails>;
export type CoverageStep = StepBase<'coverage', CoverageDetails>;
export type EvidenceStep = StepBase<'evidence', EvidenceDetails>;
export type RollbackStep = StepBase<'rollback', RollbackDetails>;
export type DriftStep = StepBase<'drift', DriftDetails>;

export type VerifyStep = BaseStep | ApplyStep | CoverageStep | EvidenceStep | RollbackStep | DriftStep;

export interface VerifyReport {
  version: typeof REPORT_VERSION;
  /** True only when every step passed. */
  ok: boolean;
  /** 0 when every step passed, 1 otherwise (a skipped step is not a pass). */
  exitCode: 0 | 1;
  target: {
    kind: VerifyTarget['kind'];
    /** `server_version` of the server used. */
    serverVersion: string | null;
    /** The scratch database the work ran in (created and dropped by verify). */
    database: string | null;
    /** e.g. "embedded PostgreSQL in a temp dir, removed afterwards". */
    note: string;
    /** Milliseconds to start the embedded server (0 for a URL). */
    startMs: number;
  };
  migrationsDir: string;
  /** Migration folders by origin, in Prisma's order. */
  folders: { base: string[]; idxgen: string[]; project: string[] };
  steps: [BaseStep, ApplyStep, CoverageStep, EvidenceStep, RollbackStep, DriftStep];
  /**
   * Where the time went, finer than the steps (server start, the engine's from-empty SQL, loading
   * rows, the EXPLAINs...): each phase's start (ms after the run started) and length. Phases that
   * ran at the same time overlap.
   */
  phases: VerifyPhase[];
  totalMs: number;
}

export interface VerifyPhase {
  name: string;
  startMs: number;
  ms: number;
}

/** Runs `work` as the named phase and records its time (see VerifyReport.phases). */
export type PhaseTimer = <T>(name: string, work: () => Promise<T>) => Promise<T>;

/** Progress callbacks (a TTY display, benchmarks) and the clock; all optional. */
export interface VerifyHooks {
  onStepStart?(name: StepName): void;
  onStepEnd?(step: VerifyStep): void;
  /** Milliseconds from an arbitrary origin. Default: performance.now(). */
  clock?(): number;
}
