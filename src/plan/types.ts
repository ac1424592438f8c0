import type { WorkloadEvidence } from './judge';
import type { Span } from '../model/types';
import type { Step } from './steps';
import type { Proposal, ProposalMessage, ProposalSpec, Severity } from '../rules/types';

/** How the entry is declared in schema.prisma, or why it cannot be. */
export type PrismaDeclaration =
  | {
      kind: 'attribute';
      /** The model-level attribute line to insert, e.g. `@@index([authorId, createdAt(sort: Desc)], map: "Post_authorId_createdAt_idx")`. */
      attribute: string;
      /** Preview features the attribute needs (e.g. `partialIndexes` for `where:`). */
      previewFeatures: string[];
    }
  | { kind: 'drop-attribute'; /** Span of the attribute to remove from the schema. */ span: Span; attribute: string }
  | {
      kind: 'none';
      /** Why Prisma cannot declare it, and what that means (drift, or nothing). */ reason: string;
      drift: boolean;
    };

/** One index of the partitioned sequence below the parent's own. */
export interface PartitionIndex {
  schema: string;
  table: string;
  name: string;
  /** On a sub-partitioned table: created ON ONLY too, attached after its own partitions. */
  partitioned: boolean;
  /** The index it is attached to (the parent's, or a sub-partitioned table's). */
  attachTo: { schema: string; name: string };
}

/**
 * An index on a partitioned table: CREATE INDEX CONCURRENTLY fails there (0A000), so it is built
 * as `CREATE INDEX ... ON ONLY` the parent (and every sub-partitioned table), one CONCURRENTLY
 * build per partition, then `ALTER INDEX ... ATTACH PARTITION` for each (src/plan/partitions.ts).
 */
export interface PartitionedIndexPlan {
  /** The parent's schema in the database (the spec's schema may be undefined = the default one). */
  schema: string;
  /** Pre-order: a sub-partitioned table's index comes before the indexes of its partitions. */
  indexes: PartitionIndex[];
}

export interface PlanEntry {
  /** Set when the database says the table is partitioned: `steps` are then the safe sequence. */
  partitioned?: PartitionedIndexPlan;
  /** The live workload's evidence (statements, plan cost before → after, time saved, write cost), when a database judged it. */
  workload?: WorkloadEvidence;
  /** Stable id `table:name`, used for ordering, suppression reports and migration folder names. */
  id: string;
  ruleId: string;
  /** Highest severity among the proposals this entry satisfies. */
  severity: Exclude<Severity, 'off'>;
  spec: ProposalSpec;
  /** Database name of the index or constraint (Prisma's default naming, 63-byte rule). */
  name: string;
  model: string;
  message: ProposalMessage;
  evidence: string[];
  span: Span;
  declaration: PrismaDeclaration;
  /**
   * What the entry does, in the order it must run, one migration folder each (a CHECK constraint
   * is two: NOT VALID, then VALIDATE). Typed data: src/render/steps.ts makes each one SQL.
   */
  steps: Step[];
  /** Other proposals this entry satisfies (e.g. a widened (fk, createdAt) index also fixes fk-index). */
  satisfies: Proposal[];
  /**
   * Guesses that would have replaced this entry with a wider index (fk-composite-index's
   * (fk, createdAt DESC) without `/// @idxgen.feed`): offered, never generated (also in `Plan.skipped`).
   */
  alternatives: Proposal[];
  /** The finding this entry was made from (same object as in `Plan.findings`). */
  proposal: Proposal;
}

export interface Plan {
  entries: PlanEntry[];
  /** Every finding before merging, for `check` and for reporting what each rule saw. */
  findings: Proposal[];
  /** Proposals left out, with the reason (already exists, suppressed, needs a preview feature ...). */
  skipped: { proposal: Proposal; reason: string }[];
  /** `/// idxgen-ignore` comments that matched no finding (stale suppressions are reported, not silently kept). */
  unusedSuppressions: UnusedSuppression[];
}

export interface UnusedSuppression {
  ruleIds: string[];
  reason: string;
  span: Span;
}
