/**
 * A finding's stable fingerprint: rule + table + what it is about (columns, method, predicate), never
 * a line number, so it survives edits elsewhere in the schema. Used by `check --baseline` and by the
 * corpus review (bench/review.json).
 */
import { renderPredicateSql } from '../render/predicate';
import type { Proposal, ProposalSpec } from '../rules/types';

function tableText(spec: ProposalSpec): string {
  return spec.schema ? `${spec.schema}.${spec.table}` : spec.table;
}

/** `(a, b DESC)`-style key of what the finding is about. */
export function specKey(spec: ProposalSpec): string {
  switch (spec.kind) {
    case 'index': {
      const cols = spec.columns
        .map((c) => `${c.column}${c.sort === 'desc' ? ' DESC' : ''}${c.opclass ? ` ${c.opclass}` : ''}`)
        .join(', ');
      const traits = [
        spec.unique ? 'unique' : '',
        spec.method !== 'btree' ? spec.method : '',
        spec.include.length > 0 ? `include ${spec.include.join(', ')}` : '',
        spec.where !== undefined ? `where ${renderPredicateSql(spec.where).replace(/\s+/g, ' ').trim()}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      return `(${cols})${traits ? ` ${traits}` : ''}`;
    }
    case 'check':
      return `check (${spec.expression.replace(/\s+/g, ' ').trim()})`;
    case 'drop-index':
      return `drop ${spec.name} (${spec.recreate.columns.map((c) => c.column).join(', ')}) covered by ${spec.coveredBy}`;
  }
}

export function fingerprint(proposal: Pick<Proposal, 'ruleId' | 'spec'>): string {
  return `${proposal.ruleId} ${tableText(proposal.spec)} ${specKey(proposal.spec)}`;
}
