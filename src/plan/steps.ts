/**
 * The typed steps of a plan entry: what each migration folder does, as data. No SQL text here:
 * src/render/steps.ts has one converter per step kind (the statement, its inverse for down.sql,
 * what the header says), and it is the only place a step becomes SQL.
 *
 * A new step kind is three things, and the compiler asks for the last two once the first exists:
 *   1. its member of `Step` below (the data both directions need);
 *   2. its converter in `CONVERTERS` (src/render/steps.ts);
 *   3. its effect in `EFFECTS` below (what generate and the plan compare with the migrations).
 */
import type { Effect } from '../generate/migration-sql';
import type { PartitionedIndexPlan } from './types';
import {
  DEFAULT_CHECK_LOCK_TIMEOUT_MS,
  type CheckSpec,
  type DropIndexSpec,
  type IndexSpec,
  type ProposalSpec,
} from '../rules/types';

/** An extension an index needs (pg_trgm for gin_trgm_ops), and the index that needs it. */
export interface ExtensionUse {
  extension: string;
  table: string;
  schema?: string;
  /** The operator classes of the index that need it (empty: the index as a whole). */
  opclasses: string[];
}

/** An index by its database name, with the definition that builds it. */
export interface NamedIndex {
  name: string;
  /** The definition (the one CREATE INDEX builds, or the one a drop's down.sql re-creates). */
  index: IndexSpec;
  /** CONCURRENTLY: reads and writes go on while it runs (every step idxgen plans today). */
  concurrently: boolean;
}

/** A CHECK constraint by its database name (the plan may have renamed the rule's choice). */
export interface NamedCheck {
  name: string;
  table: string;
  schema?: string;
  /** The canonical boolean expression (rules/check-constraint.ts validated it). */
  expression: string;
  /** The bound on the ADD ... NOT VALID step's lock wait (SET lock_timeout ... RESET around it). */
  lockTimeoutMs: number;
}

/** CREATE EXTENSION IF NOT EXISTS, in its own folder before the index. */
export interface CreateExtensionStep extends ExtensionUse {
  kind: 'create-extension';
}
/** The down of create-extension: nothing (other objects may use the extension). */
export interface KeepExtensionStep extends ExtensionUse {
  kind: 'keep-extension';
}
/** CREATE [UNIQUE] INDEX [CONCURRENTLY] IF NOT EXISTS. */
export interface CreateIndexStep extends NamedIndex {
  kind: 'create-index';
  /** Set on a partition of a partitioned table: the table it is a partition of (src/plan/partitions.ts). */
  partitionOf?: { table: string; schema?: string };
}
/** DROP INDEX [CONCURRENTLY] IF EXISTS; `index` is what its down re-creates. */
export interface DropIndexStep extends NamedIndex {
  kind: 'drop-index';
  /** The index that makes it redundant (redundant-index), for the header. */
  coveredBy?: string;
}
/** ALTER TABLE ... ADD CONSTRAINT ... CHECK (...) NOT VALID, inside SET lock_timeout ... RESET. */
export interface AddCheckStep extends NamedCheck {
  kind: 'add-check';
}
/** ALTER TABLE ... DROP CONSTRAINT IF EXISTS (the down of add-check). */
export interface DropCheckStep extends NamedCheck {
  kind: 'drop-check';
}
/** ALTER TABLE ... VALIDATE CONSTRAINT. */
export interface ValidateCheckStep extends NamedCheck {
  kind: 'validate-check';
}
/** The down of validate-check: nothing (a validated constraint cannot be made NOT VALID). */
export interface KeepValidatedStep extends NamedCheck {
  kind: 'keep-validated';
}

/**
 * The index a partitioned table's sequence ends in (the table's own, schema as the database says):
 * what the down of its non-CONCURRENTLY steps drops, taking every attached index along.
 */
export interface TopIndex {
  name: string;
  index: IndexSpec;
}
/**
 * CREATE INDEX IF NOT EXISTS ... ON ONLY <partitioned table>, inside SET lock_timeout ... RESET:
 * the table's own index (INVALID until its partitions' indexes are attached), no rows read.
 */
export interface CreateIndexOnlyStep extends NamedIndex {
  kind: 'create-index-only';
  lockTimeoutMs: number;
  /** The table has partitions: the index turns valid only when their indexes are attached. */
  pending: boolean;
  top: TopIndex;
}
/** ALTER INDEX <attachTo> ATTACH PARTITION <name>, inside SET lock_timeout ... RESET. */
export interface AttachIndexStep {
  kind: 'attach-index';
  /** The partition's index and its table. */
  name: string;
  table: string;
  schema: string;
  /** The index it is attached to (the parent table's, or a sub-partitioned partition's). */
  attachTo: { name: string; schema: string };
  lockTimeoutMs: number;
  /** The last attach of the sequence: after it the top index is valid. */
  last: boolean;
  top: TopIndex;
}
/**
 * DROP INDEX IF EXISTS on a partitioned table's index (CONCURRENTLY does not work there), inside
 * SET lock_timeout ... RESET: the down of create-index-only and attach-index.
 */
export interface DropPartitionedIndexStep extends NamedIndex {
  kind: 'drop-partitioned-index';
  lockTimeoutMs: number;
}

export type Step =
  | CreateIndexOnlyStep
  | AttachIndexStep
  | DropPartitionedIndexStep
  | CreateExtensionStep
  | KeepExtensionStep
  | CreateIndexStep
  | DropIndexStep
  | AddCheckStep
  | DropCheckStep
  | ValidateCheckStep
  | KeepValidatedStep;

export type StepKind = Step['kind'];

/** The step of one kind. */
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;

/** Kind → step type, for tables with one function per kind (`{ [K in StepKind]: (step: Steps[K]) => R }`). */
export type Steps = { [K in StepKind]: StepOf<K> };

/** One function per step kind: a new kind does not compile until every table has its entry. */
export type StepTable<R> = { [K in StepKind]: (step: Steps[K]) => R };

// ---- spec → steps ----------------------------------------------------------------------------

function indexSteps(spec: IndexSpec, name: string): Step[] {
  const opclasses = [...new Set(spec.columns.map((c) => c.opclass).filter((o): o is string => o !== undefined))];
  const extensions: Step[] = [...new Set(spec.extensions)].map((extension) => ({
    kind: 'create-extension',
    extension,
    table: spec.table,
    ...(spec.schema !== undefined ? { schema: spec.schema } : {}),
    opclasses,
  }));
  return [...extensions, { kind: 'create-index', name, index: spec, concurrently: true }];
}

function checkSteps(spec: CheckSpec, name: string): Step[] {
  // `name` wins over spec.name: the plan renames a constraint whose name is already taken.
  const check: NamedCheck = {
    name,
    table: spec.table,
    ...(spec.schema !== undefined ? { schema: spec.schema } : {}),
    expression: spec.expression,
    lockTimeoutMs: spec.lockTimeoutMs ?? DEFAULT_CHECK_LOCK_TIMEOUT_MS,
  };
  return [
    { kind: 'add-check', ...check },
    { kind: 'validate-check', ...check },
  ];
}

function dropIndexSteps(spec: DropIndexSpec, name: string): Step[] {
  if (name !== spec.name)
    throw new Error(`drop-index name mismatch: entry ${JSON.stringify(name)}, spec ${JSON.stringify(spec.name)}`);
  if (spec.recreate.table !== spec.table || spec.recreate.schema !== spec.schema)
    throw new Error(`drop-index ${JSON.stringify(name)}: recreate is on another table`);
  return [{ kind: 'drop-index', name, index: spec.recreate, concurrently: true, coveredBy: spec.coveredBy }];
}

/**
 * The steps of an entry, in order, one migration folder each:
 * - index: CREATE EXTENSION per needed extension, then CREATE INDEX CONCURRENTLY;
 * - check: ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT (called `name`, which the plan
 *   may have changed from spec.name on a clash);
 * - drop-index: DROP INDEX CONCURRENTLY (its down re-creates spec.recreate); `name` is spec.name.
 */
export function entrySteps(spec: ProposalSpec, name: string): Step[] {
  switch (spec.kind) {
    case 'index':
      return indexSteps(spec, name);
    case 'check':
      return checkSteps(spec, name);
    case 'drop-index':
      return dropIndexSteps(spec, name);
  }
}

/**
 * An index on a partitioned table (src/plan/partitions.ts): ON ONLY the table and every
 * sub-partitioned partition, CONCURRENTLY on each leaf partition, then the attaches, deepest
 * first (a sub-partitioned table's index is valid once its own partitions' are attached).
 */
export function partitionedIndexSteps(spec: IndexSpec, name: string, plan: PartitionedIndexPlan): Step[] {
  const lockTimeoutMs = DEFAULT_CHECK_LOCK_TIMEOUT_MS;
  const top: TopIndex = { name, index: { ...spec, schema: plan.schema } };
  const extensions = indexSteps(spec, name).filter((s) => s.kind === 'create-extension');
  const attachedTo = (schema: string, index: string) =>
    plan.indexes.some((i) => i.attachTo.schema === schema && i.attachTo.name === index);
  const only: Step[] = [
    {
      kind: 'create-index-only',
      name,
      index: spec,
      concurrently: false,
      lockTimeoutMs,
      pending: plan.indexes.length > 0,
      top,
    },
  ];
  const builds: Step[] = [];
  for (const p of plan.indexes) {
    const index: IndexSpec = { ...spec, table: p.table, schema: p.schema };
    if (p.partitioned)
      only.push({
        kind: 'create-index-only',
        name: p.name,
        index,
        concurrently: false,
        lockTimeoutMs,
        pending: attachedTo(p.schema, p.name),
        top,
      });
    else
      builds.push({
        kind: 'create-index',
        name: p.name,
        index,
        concurrently: true,
        partitionOf: { table: spec.table, ...(spec.schema !== undefined ? { schema: spec.schema } : {}) },
      });
  }
  const depth = (at: { schema: string; name: string }): number => {
    const found = plan.indexes.find((i) => i.schema === at.schema && i.name === at.name);
    return found ? 1 + depth(found.attachTo) : 0;
  };
  const attaches: Step[] = plan.indexes
    .map((p, order) => ({ p, order, depth: depth(p) }))
    .sort((a, b) => b.depth - a.depth || a.order - b.order)
    .map(({ p }, k, all) => ({
      kind: 'attach-index',
      name: p.name,
      table: p.table,
      schema: p.schema,
      attachTo: p.attachTo,
      lockTimeoutMs,
      last: k === all.length - 1,
      top,
    }));
  return [...extensions, ...only, ...builds, ...attaches];
}

// ---- step → effect ---------------------------------------------------------------------------

/**
 * What each step does to the objects the migrations are read for: the same `Effect`s the reader of
 * migration folders (src/generate/migration-sql.ts) yields for the statement the step renders to.
 */
const EFFECTS: StepTable<Effect[]> = {
  'create-index-only': (s) => [{ kind: 'index', action: 'create', name: s.name, present: true, table: s.index.table }],
  // Nothing the migration reader tracks: an attach is always written with its sequence.
  'attach-index': () => [],
  'drop-partitioned-index': (s) => [{ kind: 'index', action: 'drop', name: s.name, present: false }],
  'create-extension': (s) => [{ kind: 'extension', action: 'create', name: s.extension, present: true }],
  'keep-extension': () => [],
  'create-index': (s) => [{ kind: 'index', action: 'create', name: s.name, present: true, table: s.index.table }],
  'drop-index': (s) => [{ kind: 'index', action: 'drop', name: s.name, present: false }],
  // One ALTER TABLE: DROP CONSTRAINT IF EXISTS, then ADD CONSTRAINT ... NOT VALID (re-run safe).
  'add-check': (s) => [
    { kind: 'constraint', action: 'drop', name: s.name, present: false, table: s.table },
    { kind: 'constraint', action: 'create', name: s.name, present: true, validated: false, table: s.table },
  ],
  'drop-check': (s) => [{ kind: 'constraint', action: 'drop', name: s.name, present: false, table: s.table }],
  'validate-check': (s) => [
    { kind: 'constraint', action: 'validate', name: s.name, present: true, validated: true, table: s.table },
  ],
  'keep-validated': () => [],
};

/** The effects of one step, in order. */
export function stepEffects(step: Step): Effect[] {
  return effectsOf(step.kind, step);
}

function effectsOf<K extends StepKind>(kind: K, step: Steps[K]): Effect[] {
  return EFFECTS[kind](step);
}
