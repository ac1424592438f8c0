/**
 * The severity policy in the planner: a guess is never above info, never takes over a firm
 * proposal (it stays an alternative, listed with its reason), and `/// @idxgen.feed` turns the
 * composite into a request that replaces the plain FK index.
 */
import { planModel, rules } from '../../src/cli/context';
import { parseConfig, type Config } from '../../src/config/config';
import { declarationsByFinding } from '../../src/plan/plan';
import { modelFrom, schema } from '../support/rules';

function config(raw?: unknown): Config {
  const parsed = parseConfig(raw, rules);
  if (!('config' in parsed)) throw new Error(parsed.errors.join('; '));
  return parsed.config;
}

const feed = (annotated: boolean) =>
  schema(`
model User {
  id    Int    @id
  posts Post[]
}
${annotated ? '/// @idxgen.feed\n' : ''}model Post {
  id        Int      @id
  authorId  Int
  author    User     @relation(fields: [authorId], references: [id])
  createdAt DateTime @default(now())
}`);

const columns = (spec: { kind: string; columns?: unknown }) =>
  spec.kind === 'index'
    ? (spec as { columns: { column: string; sort?: string }[] }).columns.map(
        (c) => `${c.column}${c.sort === 'desc' ? ' DESC' : ''}`,
      )
    : [];

describe('severity policy in the plan', () => {
  it('without @idxgen.feed: the plain FK index is planned at error, the composite is its alternative and never an entry', () => {
    const plan = planModel(modelFrom(feed(false)), config());
    expect(plan.entries.map((e) => [e.ruleId, e.severity, columns(e.spec)])).toEqual([
      ['fk-index', 'error', ['authorId']],
    ]);
    const composite = plan.findings.find((f) => f.ruleId === 'fk-composite-index')!;
    expect([composite.severity, composite.basis]).toEqual(['info', 'guess']);
    expect(plan.entries[0]!.alternatives).toEqual([composite]);
    expect(plan.skipped.find((s) => s.proposal === composite)?.reason).toBe(
      'an alternative to the fk-index index ("authorId"), which the plan keeps: fk-composite-index ("authorId", "createdAt" DESC) is a guess from names (a guess from the column name: add /// @idxgen.feed above model Post if it is read newest first per "User", or declare the index yourself)',
    );
    // What check suggests for the FK finding is the plain index, never the composite.
    const fk = plan.findings.find((f) => f.ruleId === 'fk-index')!;
    const fix = declarationsByFinding(plan).get(fk);
    expect(fix?.kind === 'attribute' && fix.attribute).toBe('@@index([authorId], map: "Post_authorId_idx")');
  });

  it('with @idxgen.feed: the composite is a request and replaces the plain index (one entry, at error)', () => {
    const plan = planModel(modelFrom(feed(true)), config());
    expect(plan.entries.map((e) => [e.ruleId, e.severity, columns(e.spec), e.satisfies.map((p) => p.ruleId)])).toEqual([
      ['fk-composite-index', 'error', ['authorId', 'createdAt DESC'], ['fk-index']],
    ]);
    const fk = plan.findings.find((f) => f.ruleId === 'fk-index')!;
    const fix = declarationsByFinding(plan).get(fk);
    expect(fix?.kind === 'attribute' && fix.attribute).toBe(
      '@@index([authorId, createdAt(sort: Desc)], map: "Post_authorId_createdAt_idx")',
    );
  });

  it('a guess stays info even when the configuration raises its rule', () => {
    const plan = planModel(
      modelFrom(feed(false)),
      config({ rules: { 'fk-composite-index': 'error', 'fk-index': 'off' } }),
    );
    expect(plan.entries.map((e) => [e.ruleId, e.severity])).toEqual([['fk-composite-index', 'info']]);
  });

  it("a CHECK heuristic is a guess (info); the same rule's annotation is a request (warn)", () => {
    const plan = planModel(
      modelFrom(
        schema(`
model Job {
  id         Int @id
  retryCount Int @default(0)
  /// @idxgen.check(progress BETWEEN 0 AND 100)
  progress   Int @default(0)
}`),
      ),
      config(),
    );
    expect(
      plan.findings.map((f) => [f.spec.kind === 'check' ? f.spec.columns.join() : '', f.basis, f.severity]),
    ).toEqual([
      ['progress', 'request', 'warn'],
      ['retryCount', 'guess', 'info'],
    ]);
  });
});
