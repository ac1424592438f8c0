/**
 * Reporters: plan / findings → text for a terminal, JSON, SARIF, Markdown or GitHub annotations.
 * Pure: inputs are passed in, output is a string (LF, final newline, byte-identical for the same
 * input). The core never formats; this layer turns spans into file:line:col.
 */
import { renderCheckGithub, renderPlanGithub } from './github';
import { renderCheckJson, renderPlanJson } from './json';
import { renderCheckSarif, renderPlanSarif } from './sarif';
import { renderCheckMarkdown } from './check-markdown';
import { renderCheckText } from './check-text';
import { renderPlanMarkdown, renderPlanText } from './plan-text';
import type { CheckFormat, CheckReportInput, PlanFormat, PlanReportInput, ReportFormat, ReportOptions } from './types';

export type { CheckFormat, CheckReportInput, PlanFormat, PlanReportInput, ReportFormat, ReportOptions } from './types';
export { JSON_REPORT_VERSION, JSON_SCHEMA_URL } from './json';
export { planTextChunks } from './plan-text';

interface Reporters {
  plan: (input: PlanReportInput, opts: ReportOptions) => string;
  /** Empty string for text/github when there is nothing to report (a quiet pre-commit hook). */
  check: (input: CheckReportInput, opts: ReportOptions) => string;
}

/** Every format with its plan and its check reporter. */
const REPORTERS: Record<ReportFormat, Reporters> = {
  text: { plan: (input, opts) => renderPlanText(input, opts.color, opts.verbose ?? false), check: (input, opts) => renderCheckText(input, opts.color) },
  json: { plan: renderPlanJson, check: renderCheckJson },
  sarif: { plan: (input) => renderPlanSarif(input), check: (input) => renderCheckSarif(input) },
  markdown: { plan: (input) => renderPlanMarkdown(input), check: (input) => renderCheckMarkdown(input) },
  github: { plan: renderPlanGithub, check: renderCheckGithub },
};

function reporters(format: ReportFormat): Reporters {
  // Own properties only: a format comes from the command line or a library caller.
  if (!Object.hasOwn(REPORTERS, format)) throw new Error(`unknown report format: ${String(format)}`);
  return REPORTERS[format];
}

export function renderPlan(format: PlanFormat, input: PlanReportInput, opts: ReportOptions): string {
  return reporters(format).plan(input, opts);
}

/** Empty string for text/github when there is nothing to report (a quiet pre-commit hook). */
export function renderCheck(format: CheckFormat, input: CheckReportInput, opts: ReportOptions): string {
  return reporters(format).check(input, opts);
}
