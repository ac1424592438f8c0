/**
 * fk-index leaves its evidence to be worked out when read (src/rules/evidence-on-read.ts): a `check`
 * in text never reads it, so the plan and the text report must leave it unread; JSON reads it, and
 * then it is the same array the plan entry and later stages push to.
 */
import { planModel, rules } from '../../src/cli/context';
import { parseConfig } from '../../src/config/config';
import { answeredByOtherRule, declarationsByFinding } from '../../src/plan/plan';
import type { Plan } from '../../src/plan/types';
import { renderCheck } from '../../src/report';
import type { Proposal } from '../../src/rules/types';
import { corpusSchema, modelFrom } from '../support/rules';

const parsed = parseConfig(undefined, rules);
if (!('config' in parsed)) throw new Error('default config');
const config = parsed.config;

function civitaiPlan(): { plan: Plan; model: ReturnType<typeof modelFrom> } {
  const model = modelFrom(corpusSchema('civitai__civitai.prisma'));
  return { plan: planModel(model, config), model };
}

function report(format: 'text' | 'json', { plan, model }: ReturnType<typeof civitaiPlan>): string {
  return renderCheck(
    format,
    {
      findings: plan.findings,
      model,
      rules: rules.map((r) => r.meta),
      toolVersion: '0.0.0-test',
      unusedSuppressions: plan.unusedSuppressions,
      fixes: declarationsByFinding(plan),
      answeredBy: answeredByOtherRule(plan),
    },
    { color: false },
  );
}

const unread = (p: Proposal): boolean => Object.getOwnPropertyDescriptor(p, 'evidence')?.get !== undefined;

describe('fk-index evidence, read on demand', () => {
  it('is not worked out by planning civitai and printing its check as text', () => {
    const planned = civitaiPlan();
    const fk = planned.plan.findings.filter((p) => p.ruleId === 'fk-index');
    expect(fk.length).toBeGreaterThan(100);
    expect(report('text', planned)).toContain('error fk-index');
    expect(fk.filter(unread)).toHaveLength(fk.length);
  });

  it('is worked out once JSON reads it, and is the array the plan entry holds', () => {
    const planned = civitaiPlan();
    const json = JSON.parse(report('json', planned)) as { findings: { ruleId: string; evidence: string[] }[] };
    const fkFindings = json.findings.filter((f) => f.ruleId === 'fk-index');
    expect(fkFindings.length).toBeGreaterThan(100);
    for (const f of fkFindings)
      expect(f.evidence[1]).toMatch(/^considered |^no index, unique constraint or primary key on /);
    const proposal = planned.plan.findings.find((p) => p.ruleId === 'fk-index')!;
    expect(unread(proposal)).toBe(false);
    const entry = planned.plan.entries.find((e) => e.proposal === proposal)!;
    expect(entry.evidence).toBe(proposal.evidence);
    entry.evidence.push('a later stage');
    expect(proposal.evidence.at(-1)).toBe('a later stage');
  });

  it('reads the same through the entry first as through the proposal', () => {
    const first = civitaiPlan().plan;
    const second = civitaiPlan().plan;
    const viaEntries = first.entries.filter((e) => e.ruleId === 'fk-index').map((e) => [...e.evidence]);
    const viaProposals = second.entries.filter((e) => e.ruleId === 'fk-index').map((e) => [...e.proposal.evidence]);
    expect(viaEntries.length).toBeGreaterThan(100);
    expect(viaEntries).toEqual(viaProposals);
  });
});
