/**
 * Rule options are declared once (kind, default, doc per option): the type, the defaults, the
 * checker and the config file's exit-2 errors all come from that one shape.
 */
import { option, parseOptions, defaultsOf, docsOf, type OptionsOf } from '../../src/rules/rule-options';
import { rule as fkIndex, type FkIndexOptions } from '../../src/rules/fk-index';
import { rule as checkConstraint } from '../../src/rules/check-constraint';
import { allRules } from '../../src/rules/registry';
import { DATASOURCE, runBin, tempProject } from '../support/cli';

const SHAPE = {
  method: option.choice(['btree', 'hash', 'brin'], 'btree', 'How to index.'),
  names: option.strings(['a']),
  nested: option.object({ on: option.boolean(true), limit: option.integer(3, { min: 1 }) }),
};

// Compile-time: the inferred type is exactly the declared kinds (an `any` anywhere would make these lines compile
// for the wrong types too, so they are paired with @ts-expect-error lines that must fail to compile).
const typed: OptionsOf<typeof SHAPE> = { method: 'hash', names: [], nested: { on: false, limit: 1 } };
// @ts-expect-error 'gin' is not one of the choices
const wrongChoice: OptionsOf<typeof SHAPE> = { method: 'gin', names: [], nested: { on: false, limit: 1 } };
// @ts-expect-error nested.limit is a number
const wrongNested: OptionsOf<typeof SHAPE> = { method: 'btree', names: [], nested: { on: false, limit: '1' } };
const fkMethod: FkIndexOptions['method'] = 'hash';
// @ts-expect-error fk-index's method is 'btree' | 'hash'
const fkWrong: FkIndexOptions['method'] = 'gist';

describe('an option shape', () => {
  test('gives the defaults, nested objects key by key, and the docs', () => {
    expect(defaultsOf(SHAPE)).toEqual({ method: 'btree', names: ['a'], nested: { on: true, limit: 3 } });
    expect(docsOf(SHAPE)).toEqual({ method: 'How to index.' });
    expect([typed.method, wrongChoice.method, wrongNested.method, fkMethod, fkWrong]).toHaveLength(5);
  });

  test('parses a partial value over the defaults, a nested partial too', () => {
    expect(parseOptions(SHAPE, { nested: { limit: 9 } })).toEqual({
      options: { method: 'btree', names: ['a'], nested: { on: true, limit: 9 } },
    });
    expect(parseOptions(SHAPE, undefined)).toEqual({ options: defaultsOf(SHAPE) });
  });

  test('a default list is copied: changing what one parse returned does not change the next', () => {
    const first = parseOptions(SHAPE, {});
    if (!('options' in first)) throw new Error('expected options');
    first.options.names.push('b');
    expect(defaultsOf(SHAPE).names).toEqual(['a']);
  });

  test('refuses unknown options with a suggestion, and wrong values with the path', () => {
    expect(parseOptions(SHAPE, { metod: 'hash', nested: { limt: 2, on: 'yes' } })).toEqual({
      problems: [
        'metod: unknown option (did you mean "method"?) (known: method, names, nested)',
        'nested.limt: unknown option (did you mean "limit"?) (known: on, limit)',
        'nested.on: expected true or false, got string "yes"',
      ],
    });
    expect(parseOptions(SHAPE, { method: 'gin' })).toEqual({
      problems: ['method: expected one of "btree", "hash", "brin", got "gin"'],
    });
  });
});

describe('rules made from a shape', () => {
  test('fk-index: defaults, docs and messages come from its one declaration', () => {
    expect(fkIndex.meta.defaultOptions).toEqual({ method: 'btree' });
    expect(Object.keys(fkIndex.meta.optionDocs ?? {})).toEqual(['method']);
    expect(fkIndex.parseOptions({ method: 'hash' })).toEqual({ options: { method: 'hash' } });
    expect(fkIndex.parseOptions({ method: 'gin' })).toEqual({
      problems: ['method: expected "btree" or "hash", got "gin"'],
    });
  });

  test('check-constraint: a partial heuristics object keeps the other heuristic at its default', () => {
    expect(checkConstraint.parseOptions({ heuristics: { nonNegativeQuantities: true } })).toEqual({
      options: { heuristics: { nonNegativeCounters: true, nonNegativeQuantities: true }, lockTimeoutMs: 5000 },
    });
  });

  test('every registered rule runs on options its own checker refused only by throwing (the config reader refuses them first)', () => {
    const model = { tables: [] } as unknown as Parameters<(typeof allRules)[number]['run']>[0]['model'];
    for (const rule of allRules) {
      expect(() => rule.run({ model, tables: [] }, { noSuchOption: 1 })).toThrow(
        `${rule.meta.id}: options the config reader should have refused`,
      );
    }
  });
});

describe('through the real binary (needs npm run build)', () => {
  const SCHEMA = `${DATASOURCE}
model User {
  id    String @id
  posts Post[]
}

model Post {
  id       String @id
  authorId String
  author   User   @relation(fields: [authorId], references: [id])
}
`;

  test('a misspelt option is exit 2 naming its path, with the suggestion, nothing on stdout', () => {
    const project = tempProject({
      'schema.prisma': SCHEMA,
      'idxgen.config.json': '{"rules": {"fk-index": {"options": {"metod": "hash"}}}}',
    });
    try {
      const result = runBin(['check'], project.dir);
      expect(result.stderr.trimEnd()).toBe(
        'idxgen.config.json: config rules.fk-index.options.metod: unknown option (did you mean "method"?) (known: method)',
      );
      expect(result.stdout).toBe('');
      expect(result.code).toBe(2);
    } finally {
      project.cleanup();
    }
  });

  test('method "hash" reaches the rule: check proposes a hash index for the FK', () => {
    const project = tempProject({
      'schema.prisma': SCHEMA,
      'idxgen.config.json': '{"rules": {"fk-index": {"options": {"method": "hash"}}}}',
    });
    try {
      const result = runBin(['plan', '--format', 'json'], project.dir);
      expect(result.code).toBe(0);
      const plan = JSON.parse(result.stdout) as {
        entries: { ruleId: string; spec: { method: string; columns: { column: string }[] } }[];
      };
      expect(plan.entries.map((e) => [e.ruleId, e.spec.method, e.spec.columns.map((c) => c.column)])).toEqual([
        ['fk-index', 'hash', ['authorId']],
      ]);
    } finally {
      project.cleanup();
    }
  });
});
