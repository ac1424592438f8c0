import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allRules, ruleById } from '../../src/rules/registry';
import { corpusSchema, modelFrom, runRule, schema } from '../support/rules';

const ROOT = join(__dirname, '..', '..');

describe('rule registry', () => {
  it('has unique ids', () => {
    const ids = allRules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(allRules.map((r) => [r.meta.id, r] as const))(
    '%s: id is the file name, has tests, docs and valid defaults',
    (id, rule) => {
      expect(id).toMatch(/^[a-z][a-z0-9-]*$/);
      const files = { source: `src/rules/${id}.ts`, tests: `__tests__/rules/${id}.test.ts` };
      expect(Object.values(files).filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
      expect(ruleById(id)).toBe(rule);
      expect(rule.meta.summary.length).toBeGreaterThan(10);
      expect(['error', 'warn', 'info', 'off']).toContain(rule.meta.defaultSeverity);
      for (const key of ['problem', 'proposal', 'bad', 'good'] as const)
        expect(rule.meta.docs[key].trim().length).toBeGreaterThan(0);
      expect(rule.meta.docs.bad).not.toBe(rule.meta.docs.good);
      expect(rule.meta.validateOptions(rule.meta.defaultOptions)).toEqual([]);
      expect(rule.meta.validateOptions({ noSuchOption: true })).toHaveLength(1);
    },
  );

  // The severity policy (RULES.md#severity-policy): error only for structural facts, a guessing rule never above info.
  it.each(allRules.map((r) => [r.meta.id, r] as const))(
    '%s: default severity follows the severity policy',
    (_id, rule) => {
      expect(['structure', 'request', 'guess', 'workload']).toContain(rule.meta.basis);
      if (rule.meta.defaultSeverity === 'error') expect(rule.meta.basis).toBe('structure');
      if (rule.meta.basis === 'guess') expect(['info', 'off']).toContain(rule.meta.defaultSeverity);
    },
  );

  it('the error-level rules are exactly the structural defects', () => {
    expect(allRules.filter((r) => r.meta.defaultSeverity === 'error').map((r) => r.meta.id)).toEqual(['fk-index']);
  });

  it('rules are pure: the same model gives the same proposals twice, and the model is not changed', () => {
    const text = schema(`
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id        Int       @id
  authorId  Int
  author    User      @relation(fields: [authorId], references: [id])
  createdAt DateTime  @default(now())
  deletedAt DateTime?

  @@index([id])
}`);
    const model = modelFrom(text);
    const before = JSON.stringify(model);
    for (const rule of allRules) {
      const first = runRule(rule, model);
      expect(runRule(rule, model)).toEqual(first);
    }
    expect(JSON.stringify(model)).toBe(before);
  });

  // The migration statement splitter is naive about ';' (FACTS.md); message text may end up in
  // migration comments, so no rule puts ';' in it. Spans must point into the schema.
  it.each([
    'triggerdotdev__trigger.dev.prisma',
    'civitai__civitai.prisma',
    'umami-software__umami.prisma',
    'bundled example',
  ])('%s: no rule message carries ";" and every span is inside the file', (file) => {
    const text =
      file === 'bundled example'
        ? readFileSync(join(__dirname, '..', '..', 'prisma', 'schema.prisma'), 'utf8')
        : corpusSchema(file);
    const lines = text.split('\n').length;
    const model = modelFrom(text);
    const found = allRules.flatMap((r) => runRule(r, model));
    expect(found.length).toBeGreaterThan(0);
    const bad = found.filter(
      (p) => Object.values(p.message).some((m) => m.includes(';')) || p.span.line < 1 || p.span.line > lines,
    );
    expect(bad.map((p) => p.message.title)).toEqual([]);
  });
});
