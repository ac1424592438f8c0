import {
  findSuppression,
  isSuppressed,
  parseAnnotations,
  proposalFields,
  unusedSuppressions,
} from '../../src/rules/annotations';
import { rule as jsonGinIndex } from '../../src/rules/json-gin-index';
import { rule as arrayGinIndex } from '../../src/rules/array-gin-index';
import { at, fixture, load, run, schema } from '../support/rules2';

const model = fixture('annotations.prisma');
const F = 'annotations.prisma';

describe('parseAnnotations: valid annotations', () => {
  const { annotations } = parseAnnotations(model);

  it('reads model-level and field-level checks, including one continued over several /// lines', () => {
    expect(annotations.checks.map((c) => [c.model, c.field, c.source, c.sql, c.columns, at(c.span)])).toEqual([
      [
        'Order',
        undefined,
        'total >= 0 OR note IS NOT NULL',
        '("total" >= 0) OR ("note" IS NOT NULL)',
        ['total', 'note'],
        `${F}:15:1`,
      ],
      ['Order', 'note', 'char_length(note) <= 500', 'char_length("note") <= 500', ['note'], `${F}:20:3`],
    ]);
  });

  it('reads covering requests with sort orders and include columns', () => {
    expect(annotations.covering).toHaveLength(1);
    const [c] = annotations.covering;
    expect(c).toMatchObject({
      model: 'Order',
      table: 'Order',
      source: 'customerId, createdAt desc include total, note',
      columns: [
        { column: 'customerId', field: 'customerId' },
        { column: 'createdAt', field: 'createdAt', sort: 'desc' },
      ],
      include: [
        { column: 'total', field: 'total' },
        { column: 'note', field: 'note' },
      ],
    });
    expect(at(c!.span)).toBe(`${F}:15:1`);
  });

  it('reads trigram and gin flags on the right field types (the first of a duplicate counts)', () => {
    expect(annotations.trigram.map((a) => [a.model, a.field, at(a.span)])).toEqual([
      ['Order', 'title', `${F}:25:3`],
      ['Broken', 'dup', `${F}:63:3`],
    ]);
    expect(annotations.gin.map((a) => [a.model, a.field, at(a.span)])).toEqual([
      ['Order', 'tags', `${F}:27:3`],
      ['Order', 'payload', `${F}:29:3`],
    ]);
  });

  it('reads suppressions with their rules and reasons', () => {
    expect(annotations.suppressions.map((s) => [s.model, s.field, s.rules, s.reason, at(s.span)])).toEqual([
      ['Order', undefined, ['fk-index', 'unique-key'], 'the customer table is tiny', `${F}:15:1`],
      ['Order', 'meta', ['json-gin-index'], 'filtered in the warehouse, not here', `${F}:31:3`],
    ]);
  });
});

describe('parseAnnotations: errors are values with spans, never exceptions', () => {
  const { errors } = parseAnnotations(model);

  it('reports every malformed annotation at the field or model it sits on', () => {
    // Each message starts with the text given here (the rest adds usage hints).
    const expected: [string, string][] = [
      [`${F}:44:1`, 'model Broken: @idxgen.covering(id) has no include list'],
      [`${F}:44:1`, 'model Broken: @idxgen.covering(nope include id): unknown field "nope" (did you mean "name"?)'],
      [`${F}:44:1`, 'model Broken: @idxgen.trigram belongs on a field'],
      [`${F}:44:1`, 'model Broken: unknown annotation @idxgen.chek (did you mean @idxgen.check?)'],
      [`${F}:44:1`, 'model Broken: unrecognized idxgen comment "@idxgen"'],
      [`${F}:44:1`, 'model Broken: idxgen-ignore names no rule'],
      [`${F}:44:1`, 'model Broken: idxgen-ignore fk-index gives no reason'],
      [`${F}:44:1`, 'model Broken: idxgen-ignore names no rule'],
      [
        `${F}:44:1`,
        'model Broken: idxgen-ignore Fk_Index, , json-gin-index: "Fk_Index" is not a rule id (rule ids look like fk-index); empty rule id in the list',
      ],
      [`${F}:44:1`, 'model Broken: @idxgen.check( is not closed'],
      [`${F}:47:3`, 'Broken.count: @idxgen.trigram needs a String field; count is Int'],
      [
        `${F}:49:3`,
        'Broken.name: @idxgen.gin needs a Json field or a scalar list (String[], Int[], enum[]); name is String',
      ],
      [`${F}:51:3`, 'Broken.legacy: @idxgen.gin: legacy is @db.Json (type json), and GIN indexes need jsonb'],
      [`${F}:54:3`, 'Broken.other: @idxgen.covering belongs to the model'],
      [`${F}:54:3`, 'Broken.other: @idxgen.check(id > 0) sits on field other but does not use it'],
      [`${F}:60:3`, 'Broken.text: @idxgen.check(pg_sleep(10) IS NULL): function "pg_sleep" is not allowed'],
      [
        `${F}:60:3`,
        "Broken.text: @idxgen.check(text <> 'a;b'): `;` is not allowed anywhere in a CHECK expression, not even inside a string literal (Prisma splits migration.sql at every `;`) (at \";b'\")",
      ],
      [`${F}:60:3`, 'Broken.text: unexpected text after @idxgen.check(...): "; DROP TABLE x; --)"'],
      [`${F}:60:3`, 'Broken.text: @idxgen.trigram takes no arguments'],
      [`${F}:60:3`, 'Broken.text: unexpected text after @idxgen.trigram: "extra"'],
      [`${F}:63:3`, 'Broken.dup: @idxgen.trigram is written twice'],
      [`${F}:68:3`, 'Summary.id: @idxgen.trigram has no effect on a view'],
    ];
    expect(errors.map((e) => at(e.span))).toEqual(expected.map(([where]) => where));
    errors.forEach((e, i) =>
      expect(e.message.startsWith(expected[i]![1]) ? expected[i]![1] : e.message).toBe(expected[i]![1]),
    );
  });

  it('checks rule ids against a known list when given one', () => {
    const { errors: withIds } = parseAnnotations(model, {
      knownRuleIds: ['fk-index', 'json-gin-index', 'unique-keys'],
    });
    const extra = withIds.filter((e) => !errors.some((o) => o.message === e.message));
    expect(extra.map((e) => [at(e.span), e.message])).toEqual([
      [
        `${F}:15:1`,
        'model Order: idxgen-ignore fk-index, unique-key: unknown rule "unique-key" (did you mean "unique-keys"?)',
      ],
    ]);
  });

  it('ignores doc comments that are not about idxgen, and does not mistake mid-line mentions', () => {
    const m = load(
      schema(`
/// Orders placed by customers. See @idxgen.covering in the docs.
model A {
  id Int @id
  /// The amount; idxgen-ignore is how you silence idxgen.
  n  Int
}`),
    );
    expect(parseAnnotations(m)).toEqual({
      annotations: { checks: [], trigram: [], gin: [], covering: [], feed: [], suppressions: [] },
      errors: [],
    });
  });
});

describe('@idxgen.feed', () => {
  it('is a model-level flag without arguments, written once', () => {
    const m = load(
      schema(`
/// @idxgen.feed
model A {
  id Int @id
  /// @idxgen.feed
  b  Int
}
/// @idxgen.feed(x)
model C {
  id Int @id
}
/// @idxgen.feed
/// @idxgen.feed
model D {
  id Int @id
}`),
    );
    const { annotations, errors } = parseAnnotations(m);
    expect(annotations.feed.map((f) => f.model)).toEqual(['A', 'D']);
    expect(errors.map((e) => e.message)).toEqual([
      'A.b: @idxgen.feed belongs to the model: put it in the /// lines above `model A {`',
      'model C: @idxgen.feed takes no arguments',
      'model D: @idxgen.feed is written twice',
    ]);
  });
});

describe('suppressions', () => {
  const { annotations } = parseAnnotations(model);
  const suppressions = annotations.suppressions;

  it('a field-level idxgen-ignore silences that rule on that field only', () => {
    const found = run(jsonGinIndex, model, { onlyAnnotated: false });
    expect(found.map((p) => `${p.model}.${proposalFields(p, model).join(',')}`)).toEqual([
      'Order.payload',
      'Order.meta',
    ]);
    const silenced = found.map((p) => isSuppressed(suppressions, p, model)?.reason);
    expect(silenced).toEqual([undefined, 'filtered in the warehouse, not here']);
  });

  it('a model-level idxgen-ignore silences the rule for every field of the model', () => {
    expect(findSuppression(suppressions, { ruleId: 'fk-index', model: 'Order', fields: ['customerId'] })?.reason).toBe(
      'the customer table is tiny',
    );
    expect(findSuppression(suppressions, { ruleId: 'unique-key', model: 'Order', fields: [] })?.reason).toBe(
      'the customer table is tiny',
    );
    expect(
      findSuppression(suppressions, { ruleId: 'fk-index', model: 'Broken', fields: ['customerId'] }),
    ).toBeUndefined();
    expect(
      findSuppression(suppressions, { ruleId: 'array-gin-index', model: 'Order', fields: ['tags'] }),
    ).toBeUndefined();
  });

  it('lists the (suppression, rule) pairs that matched no proposal', () => {
    const proposals = [
      ...run(jsonGinIndex, model, { onlyAnnotated: false }),
      ...run(arrayGinIndex, model, { onlyAnnotated: false }),
    ];
    expect(
      unusedSuppressions(suppressions, proposals, model).map((u) => [
        u.suppression.model,
        u.suppression.field,
        u.ruleId,
      ]),
    ).toEqual([
      ['Order', undefined, 'fk-index'],
      ['Order', undefined, 'unique-key'],
    ]);
  });

  it('maps CHECK columns back to fields, so a field-level ignore matches a check on a mapped column', () => {
    const m = load(
      schema(`
model Job {
  id         Int @id
  /// idxgen-ignore check-constraint -- negative means "retry forever"
  retryCount Int @default(0) @map("retry_count")
}`),
    );
    const { annotations: a } = parseAnnotations(m);
    const proposal = {
      ruleId: 'check-constraint',
      model: 'Job',
      spec: {
        kind: 'check' as const,
        table: 'Job',
        name: 'Job_retry_count_check',
        expression: '"retry_count" >= 0',
        columns: ['retry_count'],
      },
    };
    expect(proposalFields(proposal, m)).toEqual(['retryCount']);
    expect(isSuppressed(a.suppressions, proposal, m)?.reason).toBe('negative means "retry forever"');
    expect(unusedSuppressions(a.suppressions, [proposal], m)).toEqual([]);
  });
});
