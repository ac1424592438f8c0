import type { PrismaDeclaration } from '../plan/types';
import type { SchemaModel } from '../model/types';
import type { Plan, UnusedSuppression } from '../plan/types';
import type { Proposal, RuleMeta } from '../rules/types';

/** Everything `plan` reports on. Paths in spans are printed as given (cwd-relative when below cwd). */
export interface PlanReportInput {
  schemaFiles: string[];
  model: SchemaModel;
  plan: Plan;
  rules: RuleMeta<unknown>[];
  toolVersion: string;
}

/** Everything `check` reports on: the findings are already filtered by level and suppressions. */
export interface CheckReportInput {
  findings: Proposal[];
  model: SchemaModel;
  rules: RuleMeta<unknown>[];
  toolVersion: string;
  unusedSuppressions: UnusedSuppression[];
  /** The declaration the plan chose for each finding (a widened index, a renamed one); default naming otherwise. */
  fixes?: ReadonlyMap<Proposal, PrismaDeclaration>;
  /** Findings whose fix is the index another rule proposes (its id), which covers them too. */
  answeredBy?: ReadonlyMap<Proposal, string>;
}

/** The report formats; each has a plan reporter and a check reporter (see REPORTERS in ./index). */
export type ReportFormat = 'text' | 'json' | 'sarif' | 'markdown' | 'github';
export type PlanFormat = ReportFormat;
export type CheckFormat = ReportFormat;

export interface ReportOptions {
  /** ANSI colour (text format only); never in snapshots. */
  color: boolean;
  /** Text plan: every proposal's cost, fix, evidence and SQL (default: one line each). */
  verbose?: boolean;
}
