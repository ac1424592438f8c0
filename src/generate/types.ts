import type { SchemaModel } from '../model/types';
import type { Diagnostic } from '../errors';
import type { Plan, PlanEntry } from '../plan/types';
import type { PrismaCapabilities } from '../compat/prisma-version';
import type { SchemaSource } from '../schema/source';
import type { ValidationCache } from '../schema/validate';
import type { SchemaFileEdit } from './schema-edit';

export type { SchemaFileEdit } from './schema-edit';

/** `statement`: one statement per folder (any Prisma). `table`: one folder per table (Prisma >= 7.4). */
export type GroupMode = 'statement' | 'table';

/** One existing migration folder, as read from disk. */
export interface ExistingFolder {
  name: string;
  /** Its migration.sql ('' when the folder has none). */
  sql: string;
  /** The migration.sql's path as messages show it (a parse error's `file:line:col`). */
  file?: string;
}

export interface ExistingMigrations {
  folders: ExistingFolder[];
  /** Whether migration_lock.toml exists (it is never rewritten). */
  hasLockFile: boolean;
}

export interface GenerateOptions {
  group: GroupMode;
  /** Rule ids, table names or model names; undefined = everything. */
  only?: readonly string[];
  includeInfo: boolean;
  allowDrift: boolean;
  previewFeatures: boolean;
}

export interface GenerateInput {
  plan: Plan;
  model: SchemaModel;
  /** The schema files exactly as the user wrote them. */
  sources: readonly SchemaSource[];
  /** Every rule id idxgen knows (for validating --only). */
  ruleIds: readonly string[];
  existing: ExistingMigrations;
  /** `YYYYMMDDHHMMSS`, already validated (from --timestamp or the clock). */
  timestamp: string;
  options: GenerateOptions;
  /** What the project's Prisma can declare; undefined = the bundled Prisma 7 (everything). */
  prisma?: PrismaCapabilities;
  /**
   * The project's own Prisma validator (src/compat/prisma-version.ts picks its major), run on the edited
   * files exactly as they will be written; undefined = only the bundled Prisma 7 check.
   */
  validateForProject?: (sources: SchemaSource[]) => Diagnostic[];
  /**
   * `validateForProject` begun early: starts the project's validator on the files and returns a
   * function that waits for its diagnostics, so that generate checks the edited files with Prisma 7
   * meanwhile (the CLI: on a worker thread). Used instead of `validateForProject` when given.
   */
  startProjectValidation?: (sources: SchemaSource[]) => () => Diagnostic[];
  /**
   * Prisma 7's validation of the edited files (sanitized, as loadSchema hands them over) begun
   * elsewhere, so that generate builds their model meanwhile (the CLI: on a worker thread, for a
   * project without a validator of its own above). Undefined = validated in this thread first.
   */
  startValidation?: (validated: SchemaSource[]) => () => Diagnostic[];
  /**
   * Where Prisma 7's verdict on the edited files is looked up and kept (src/schema/validate.ts): a
   * `check` of the schema generate writes then need not validate it again.
   */
  cache?: ValidationCache;
}

/** What a migration step does, read from its SQL. */
export type StepKind = 'extension' | 'index' | 'check' | 'validate' | 'drop';

export interface StepRef {
  entry: PlanEntry;
  stepIndex: number;
  kind: StepKind;
}

export interface PlannedFile {
  /** Path relative to the migrations directory, `/`-separated. */
  path: string;
  content: string;
}

export interface PlannedFolder {
  name: string;
  steps: StepRef[];
  /** migration.sql then down.sql. */
  files: [PlannedFile, PlannedFile];
}

export type SkipCode = 'needs-preview-feature' | 'drift' | 'not-declarable' | 'needs-newer-prisma' | 'partitioned';

export interface Skipped {
  entry: PlanEntry;
  code: SkipCode;
  reason: string;
}

export interface GenerateResult {
  folders: PlannedFolder[];
  /** migration_lock.toml, when it is missing and folders are written. */
  lockFile?: PlannedFile;
  schemaEdits: SchemaFileEdit[];
  /** Entries with at least one step written. */
  generated: PlanEntry[];
  /** Entries every step of which an existing migration already holds, with that folder. */
  inMigrations: { entry: PlanEntry; folder: string }[];
  skipped: Skipped[];
  /** Entries written with --allow-drift: Prisma's next migrate dev wants to drop them. */
  drift: PlanEntry[];
  /** Entries left out by severity (info without --include-info) or by --only. */
  notSelected: PlanEntry[];
  previewFeaturesAdded: string[];
  /** Declaration lines written into / removed from the schema. */
  declarationsAdded: { entry: PlanEntry; file: string; attribute: string }[];
  declarationsRemoved: { entry: PlanEntry; file: string; attribute: string }[];
  statements: number;
  /** Problems the project's Prisma validator already reported on the schema before idxgen's edits. */
  projectValidatorNotes: string[];
}
