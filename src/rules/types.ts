import type { Predicate, QueryShape } from '../model/query-shape';
import type { IndexMethod, SchemaModel, SortOrder, Span, Table } from '../model/types';

export type Severity = 'error' | 'warn' | 'info' | 'off';

/** One key column of a proposed index. */
export interface ProposedColumn {
  column: string;
  field: string;
  sort?: SortOrder;
  /** PostgreSQL operator class, e.g. jsonb_path_ops, gin_trgm_ops. */
  opclass?: string;
  /** Prisma's name for the operator class, e.g. JsonbPathOps; undefined when Prisma has none. */
  prismaOps?: string;
}

export interface IndexSpec {
  kind: 'index';
  table: string;
  schema?: string;
  columns: ProposedColumn[];
  method: IndexMethod;
  unique: boolean;
  /** Partial-index predicate as a tree; src/render/predicate.ts makes it SQL. */
  where?: Predicate;
  /** INCLUDE columns (database names). */
  include: string[];
  /** PostgreSQL extensions the index needs (pg_trgm for gin_trgm_ops). */
  extensions: string[];
}

export interface CheckSpec {
  kind: 'check';
  table: string;
  schema?: string;
  /** Constraint name, chosen by the rule (`{table}_{column}_check` style), 63-byte safe. */
  name: string;
  /** Canonical SQL boolean expression with quoted identifiers; validated, never pasted raw. */
  expression: string;
  columns: string[];
  /**
   * How long the ADD CONSTRAINT ... NOT VALID step may wait for its ACCESS EXCLUSIVE lock before
   * it gives up (SET lock_timeout around the statement). Default DEFAULT_CHECK_LOCK_TIMEOUT_MS.
   */
  lockTimeoutMs?: number;
}

/** Default bound on the NOT VALID step's lock wait (check-constraint option lockTimeoutMs). */
export const DEFAULT_CHECK_LOCK_TIMEOUT_MS = 5000;

export interface DropIndexSpec {
  kind: 'drop-index';
  table: string;
  schema?: string;
  /** Name of the existing index to drop. */
  name: string;
  /** The existing index's definition, so down.sql can re-create it. */
  recreate: IndexSpec;
  /** The index/constraint that makes it redundant. */
  coveredBy: string;
}

export type ProposalSpec = IndexSpec | CheckSpec | DropIndexSpec;

/** Message text a rule produces: cost → instead → fix. Rendered by reporters, never by rules' callers. */
export interface ProposalMessage {
  /** Short one-line title, e.g. `Foreign key "Post"."authorId" has no index`. */
  title: string;
  /** What it costs today (seq scans on joins, lock on parent delete, ...). */
  cost: string;
  /** What to do instead, one sentence. */
  instead: string;
  /** The read or write this serves, e.g. `WHERE "authorId" = $1 ORDER BY "createdAt" DESC LIMIT 20`. */
  serves?: string;
}

export interface Proposal {
  ruleId: string;
  severity: Exclude<Severity, 'off'>;
  spec: ProposalSpec;
  message: ProposalMessage;
  /**
   * The reads (or, for a unique index, the lookups of its conflict check) the proposed index
   * serves, stated by the rule: verify's evidence runs them, the plan merges proposals that serve
   * the same read. Empty for CHECK constraints and drops.
   */
  serves: QueryShape[];
  /** Evidence the rule relied on (e.g. "no index starts with (authorId)"; "enum QueueStatus: PENDING, RETRY"). */
  evidence: string[];
  /** Where in the schema the proposal comes from (the FK field, the Json field, the model). */
  span: Span;
  /** Prisma model name the proposal belongs to. */
  model: string;
}

/** What a rule gets: the whole model and its own options. Rules never read files or the clock. */
export interface RuleContext<Options> {
  model: SchemaModel;
  options: Options;
  /** Tables that are real, writable tables (not views, not @@ignore'd). */
  tables: Table[];
}

export interface RuleDocs {
  /** Why this matters (the problem). */
  problem: string;
  /** What the rule proposes (the solution). */
  proposal: string;
  /** A schema snippet that fires the rule. */
  bad: string;
  /** The same snippet fixed. */
  good: string;
}

export interface RuleMeta<Options> {
  id: string;
  summary: string;
  defaultSeverity: Severity;
  defaultOptions: Options;
  /** Option name → one line for RULES.md. */
  optionDocs?: Readonly<Record<string, string>>;
  /** Validates user options, returns a list of `path: problem` strings (empty when fine). */
  validateOptions(raw: unknown): string[];
  docs: RuleDocs;
}

/** A problem with the user's input that a rule found while applying it to a schema. */
export interface RuleDiagnostic {
  /** E.g. `trigram-index: fields names "User.nmae", which is not a field of a table in this schema`. */
  message: string;
  /** Where in the schema, when the problem has a place (otherwise it is about the config file). */
  span?: Span;
}

export interface Rule<Options = Record<string, unknown>> {
  meta: RuleMeta<Options>;
  check(ctx: RuleContext<Options>): Omit<Proposal, 'severity'>[];
  /**
   * Optional: problems with the rule's options as applied to this schema (an option naming an
   * unknown Model.field, a field of the wrong type). Report them as user errors (exit code 2);
   * never thrown. Annotation errors come from `parseAnnotations` instead.
   */
  diagnose?(ctx: RuleContext<Options>): RuleDiagnostic[];
}
