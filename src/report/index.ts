/**
 * Reporters: plan / findings → text for a terminal, JSON, SARIF, Markdown or GitHub annotations.
 * Pure: inputs are passed in, output is a string (LF, final newline, byte-identical for the same
 * input). The core never formats; this layer turns spans into file:line:col.
 */
import type { CheckFormat, CheckReportInput, PlanFormat, PlanReportInput, ReportFormat, ReportOptions } from './types';

export type { CheckFormat, CheckReportInput, PlanFormat, PlanReportInput, ReportFormat, ReportOptions } from './types';
export { JSON_REPORT_VERSION, JSON_SCHEMA_URL } from './json';
export { planTextChunks } from './plan-text';

interface Reporters {
  plan: (input: PlanReportInput, opts: ReportOptions) => string;
  /** Empty string for text/github when there is nothing to report (a quiet pre-commit hook). */
  check: (input: CheckReportInput, opts: ReportOptions) => string;
}

type PlanText = typeof import('./plan-text');
type Json = typeof import('./json');
type Sarif = typeof import('./sarif');
type Github = typeof import('./github');

/**
 * Every format with its plan and its check reporter. Each reporter's module is loaded when it is
 * asked for: a `check` run loads one of them (issue 14).
 */
const REPORTERS: Record<ReportFormat, Reporters> = {
  text: {
    plan: (input, opts) =>
      (require('./plan-text') as PlanText).renderPlanText(input, opts.color, opts.verbose ?? false),
    check: (input, opts) =>
      (require('./check-text') as typeof import('./check-text')).renderCheckText(input, opts.color),
  },
  json: {
    plan: (input) => (require('./json') as Json).renderPlanJson(input),
    check: (input) => (require('./json') as Json).renderCheckJson(input),
  },
  sarif: {
    plan: (input) => (require('./sarif') as Sarif).renderPlanSarif(input),
    check: (input) => (require('./sarif') as Sarif).renderCheckSarif(input),
  },
  markdown: {
    plan: (input) => (require('./plan-text') as PlanText).renderPlanMarkdown(input),
    check: (input) => (require('./check-markdown') as typeof import('./check-markdown')).renderCheckMarkdown(input),
  },
  github: {
    plan: (input) => (require('./github') as Github).renderPlanGithub(input),
    check: (input) => (require('./github') as Github).renderCheckGithub(input),
  },
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
