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
  | { kind: 'none'; /** Why Prisma cannot declare it, and what that means (drift, or nothing). */ reason: string; drift: boolean };

export interface PlanEntry {
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
