/**
 * GitHub Actions workflow commands (`::error file=...::message`): annotations on the PR diff.
 * Escaping follows the runner's rules: in the message `%`, CR and LF become `%25`, `%0D`, `%0A`;
 * in property values `:` and `,` also become `%3A` and `%2C`.
 */
import type { Span } from '../model/types';
import type { UnusedSuppression } from '../plan/types';
import { sortFindings } from './check-order';
import { findingDeclaration } from './finding';
import { plainMessage } from './message';
import { printable, type Level } from './text';
import type { CheckReportInput, PlanReportInput } from './types';
import { slashPath } from './uri';

const COMMAND: Record<Level, string> = { error: 'error', warn: 'warning', info: 'notice' };

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command; `col`/`endColumn` only for single-line spans (GitHub ignores them otherwise). */
export function annotation(level: Level, span: Span | undefined, title: string, message: string): string {
  const props: [string, string | number][] = [];
  if (span) {
    props.push(['file', slashPath(printable(span.file))], ['line', span.line]);
    if (span.endLine === span.line) props.push(['col', span.column]);
    props.push(['endLine', span.endLine]);
    if (span.endLine === span.line) props.push(['endColumn', span.endColumn]);
  }
  props.push(['title', printable(title)]);
  const properties = props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${COMMAND[level]} ${properties}::${escapeData(message)}`;
}

function unusedAnnotation(u: UnusedSuppression): string {
  return annotation(
    'warn',
    u.span,
    'idxgen unused-suppression',
    `/// idxgen-ignore ${printable(u.ruleIds.join(', '))} matches no finding; remove it.`,
  );
}

function warnings(model: PlanReportInput['model']): string[] {
  return model.warnings.map((w) => annotation('warn', w.span, `idxgen ${printable(w.code)}`, printable(w.message)));
}

function lines(list: string[]): string {
  return list.length === 0 ? '' : `${list.join('\n')}\n`;
}

export function renderPlanGithub(input: PlanReportInput): string {
  const entries = input.plan.entries.map((e) =>
    annotation(e.severity, e.span, `idxgen ${e.ruleId}`, plainMessage(e, e.declaration, e.satisfies)),
  );
  return lines([...warnings(input.model), ...entries, ...input.plan.unusedSuppressions.map(unusedAnnotation)]);
}

export function renderCheckGithub(input: CheckReportInput): string {
  const findings = sortFindings(input.findings).map((f) =>
    annotation(f.severity, f.span, `idxgen ${f.ruleId}`, plainMessage(f, findingDeclaration(f, input.fixes))),
  );
  return lines([...findings, ...input.unusedSuppressions.map(unusedAnnotation)]);
}
