/**
 * Reporters: plan / findings → text for a terminal, JSON, SARIF, Markdown or GitHub annotations.
 * Pure: inputs are passed in, output is a string (LF, final newline, byte-identical for the same
 * input). The core never formats; this layer turns spans into file:line:col.
 */
import type { CheckFormat, CheckReportInput, PlanFormat, PlanReportInput, ReportOptions } from './types';

export type { CheckFormat, CheckReportInput, PlanFormat, PlanReportInput, ReportOptions } from './types';
export { JSON_REPORT_VERSION, JSON_SCHEMA_URL } from './json';
export { planTextChunks } from './plan-text';

// Each format's reporter is loaded when asked for: a `check` run loads one of them (issue 14).
export function renderPlan(format: PlanFormat, input: PlanReportInput, opts: ReportOptions): string {
  switch (format) {
    case 'text':
      return (require('./plan-text') as typeof import('./plan-text')).renderPlanText(input, opts.color, opts.verbose ?? false);
    case 'json':
      return (require('./json') as typeof import('./json')).renderPlanJson(input);
    case 'sarif':
      return (require('./sarif') as typeof import('./sarif')).renderPlanSarif(input);
    case 'markdown':
      return (require('./plan-text') as typeof import('./plan-text')).renderPlanMarkdown(input);
    case 'github':
      return (require('./github') as typeof import('./github')).renderPlanGithub(input);
    default:
      throw new Error(`unknown plan report format: ${String(format satisfies never)}`);
  }
}

/** Empty string for text/github when there is nothing to report (a quiet pre-commit hook). */
export function renderCheck(format: CheckFormat, input: CheckReportInput, opts: ReportOptions): string {
  switch (format) {
    case 'text':
      return (require('./check-text') as typeof import('./check-text')).renderCheckText(input, opts.color);
    case 'json':
      return (require('./json') as typeof import('./json')).renderCheckJson(input);
    case 'sarif':
      return (require('./sarif') as typeof import('./sarif')).renderCheckSarif(input);
    case 'markdown':
      return (require('./check-markdown') as typeof import('./check-markdown')).renderCheckMarkdown(input);
    case 'github':
      return (require('./github') as typeof import('./github')).renderCheckGithub(input);
    default:
      throw new Error(`unknown check report format: ${String(format satisfies never)}`);
  }
}
