/**
 * Each rule states the reads its index serves (`Proposal.serves`), and the index it proposes
 * serves every one of them by `indexServes`: the statement is checked, not trusted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexServes } from '../../src/model/serves';
import { servingProposed } from '../../src/rules/coverage';
import { allRules } from '../../src/rules/registry';
import { fixture, modelFrom, runRule } from '../support/rules';

const bundled = readFileSync(join(__dirname, '..', '..', 'prisma', 'schema.prisma'), 'utf8');
const schemas: [string, string][] = [
  ['bundled example', bundled],
  ...[
    'fk-composite-index.prisma',
    'fk-index-composite.prisma',
    'queue-partial-index.prisma',
    'soft-delete-partial-index.prisma',
    'unique-key.prisma',
  ].map((f): [string, string] => [f, fixture(f)]),
];

describe.each(schemas)('%s', (_name, text) => {
  const model = modelFrom(text);
  const found = allRules.flatMap((rule) => runRule(rule, model));

  it('has index proposals to check', () => {
    expect(found.some((p) => p.spec.kind === 'index')).toBe(true);
  });

  it('every index proposal states reads its own index serves whole', () => {
    for (const p of found) {
      if (p.spec.kind !== 'index') {
        expect(p.serves).toEqual([]);
        continue;
      }
      expect({ rule: p.ruleId, reads: p.serves.length > 0 }).toEqual({ rule: p.ruleId, reads: true });
      for (const shape of p.serves) {
        expect({ rule: p.ruleId, shape, verdict: indexServes(servingProposed(p.spec), shape).verdict }).toEqual({
          rule: p.ruleId,
          shape,
          verdict: 'serves',
        });
      }
    }
  });
});

test('fk-index serves the FK lookup; fk-composite-index the lookup and the feed read', () => {
  const model = modelFrom(fixture('fk-composite-index.prisma'));
  const fk = allRules.find((r) => r.meta.id === 'fk-index')!;
  const composite = allRules.find((r) => r.meta.id === 'fk-composite-index')!;
  const plain = runRule(fk, model)[0]!;
  expect(plain.serves).toEqual([
    expect.objectContaining({
      equal: plain.spec.kind === 'index' ? plain.spec.columns.map((c) => c.column) : [],
      orderBy: [],
    }),
  ]);
  const feed = runRule(composite, model).find((p) => p.serves.some((s) => s.orderBy.length > 0))!;
  expect(feed.serves[1]).toMatchObject({ orderBy: [{ direction: 'desc' }], limit: 20 });
  expect(feed.serves[0]!.equal).toEqual(feed.serves[1]!.equal);
});
