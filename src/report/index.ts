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
import type { CheckFormat, CheckReportInput, PlanFormat, PlanReportInput, ReportOptions } from './types';

export type { CheckFormat, CheckReportInput, PlanFormat, PlanReportInput, ReportOptions } from './types';
export { JSON_REPORT_VERSION, JSON_SCHEMA_URL } from './json';
export { planTextChunks } from './plan-text';

export function renderPlan(format: PlanFormat, input: PlanReportInput, opts: ReportOptions): string {
  switch (format) {
    case 'text':
      return renderPlanText(input, opts.color, opts.verbose ?? false);
    case 'json':
      return renderPlanJson(input);
    case 'sarif':
      return renderPlanSarif(input);
    case 'markdown':
      return renderPlanMarkdown(input);
    case 'github':
      return renderPlanGithub(input);
    default:
      throw new Error(`unknown plan report format: ${String(format satisfies never)}`);
  }
}

/** Empty string for text/github when there is nothing to report (a quiet pre-commit hook). */
export function renderCheck(format: CheckFormat, input: CheckReportInput, opts: ReportOptions): string {
  switch (format) {
    case 'text':
      return renderCheckText(input, opts.color);
    case 'json':
      return renderCheckJson(input);
    case 'sarif':
      return renderCheckSarif(input);
    case 'markdown':
      return renderCheckMarkdown(input);
    case 'github':
      return renderCheckGithub(input);
    default:
      throw new Error(`unknown check report format: ${String(format satisfies never)}`);
  }
}
