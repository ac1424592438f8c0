/** The plain-text message of one finding or entry (SARIF, GitHub annotations), from message.text.hbs. */
import type { PrismaDeclaration } from '../plan/types';
import type { Proposal } from '../rules/types';
import { declarationView } from './plan-view';
import { renderTemplate } from '../render/templates';
import { insteadClause, printable } from './text';

export function plainMessage(
  finding: Pick<Proposal, 'message' | 'model'>,
  declaration: PrismaDeclaration,
  also: readonly Pick<Proposal, 'ruleId' | 'message'>[] = [],
): string {
  const view = {
    color: false,
    title: printable(finding.message.title),
    cost: printable(finding.message.cost),
    instead: printable(insteadClause(finding.message.instead)),
    model: printable(finding.model),
    prisma: declarationView(declaration),
    also: also.map((a) => ({ ruleId: printable(a.ruleId), title: printable(a.message.title) })),
  };
  return renderTemplate('report/message.text', view).replace(/\n+$/, '');
}
