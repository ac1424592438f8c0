/** `check --format text`: one eslint-style block per finding, then a summary line. */
import { findingDeclaration } from './finding';
import { declarationView, findingView, type DeclarationView, type FindingView } from './plan-view';
import { renderTemplate } from '../render/templates';
import { countLevels, finish, formatLocation, insteadClause, plural, printable, type Level } from './text';
import type { CheckReportInput } from './types';
import { sortFindings } from './check-order';

interface CheckView {
  color: boolean;
  any: boolean;
  findings: (FindingView & {
    label: string;
    model: string;
    instead: string;
    prisma: DeclarationView;
    answeredBy?: string;
  })[];
  unusedSuppressions: { rules: string; location: string }[];
  summary: string;
}

const LABEL: Record<Level, string> = { error: 'error', warn: 'warning', info: 'info' };

export function checkSummary(levels: Level[], unused: number): string {
  const counts = countLevels(levels);
  const parts = [plural(counts.error, 'error'), plural(counts.warn, 'warning')];
  if (counts.info > 0) parts.push(`${counts.info} info`);
  const problems = `${plural(levels.length, 'problem')} (${parts.join(', ')})`;
  return unused > 0 ? `${problems}, ${plural(unused, 'unused suppression')}` : problems;
}

export function renderCheckText(input: CheckReportInput, color: boolean): string {
  const findings = sortFindings(input.findings);
  const view: CheckView = {
    color,
    any: findings.length > 0 || input.unusedSuppressions.length > 0,
    findings: findings.map((f) => ({
      ...findingView(f),
      label: LABEL[f.severity],
      model: printable(f.model),
      instead: printable(insteadClause(f.message.instead)),
      prisma: declarationView(findingDeclaration(f, input.fixes)),
      answeredBy: input.answeredBy?.get(f),
    })),
    unusedSuppressions: input.unusedSuppressions.map((u) => ({
      rules: printable(u.ruleIds.join(', ')),
      location: printable(formatLocation(u.span)),
    })),
    summary: checkSummary(
      findings.map((f) => f.severity),
      input.unusedSuppressions.length,
    ),
  };
  return finish(renderTemplate('report/check.text', view));
}
