/**
 * RULES.md is generated from the rule metadata (src/docs/rules-md.ts); this test fails when the
 * checked-in file differs from the generator's output. To update it: `npm run docs`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRulesMd, type RuleDocSource } from '../src/docs/rules-md';
import { allRules } from '../src/rules/registry';

const ROOT = join(__dirname, '..');

describe('RULES.md', () => {
  const generated = renderRulesMd(allRules);

  it('equals the generator output (run `npm run docs` after changing a rule)', () => {
    const file = join(ROOT, 'RULES.md');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(generated);
  });

  it.each(allRules.map((r) => [r.meta.id, r] as const))('%s: has non-empty docs and a test file', (id, rule) => {
    for (const key of ['problem', 'proposal', 'bad', 'good'] as const) expect(rule.meta.docs[key].trim()).not.toBe('');
    expect(rule.meta.summary.trim()).not.toBe('');
    expect(existsSync(join(ROOT, '__tests__', 'rules', `${id}.test.ts`))).toBe(true);
  });

  it('has an index row and a section per rule, in registry order', () => {
    const ids = allRules.map((r) => r.meta.id);
    expect(Array.from(generated.matchAll(/^## (.+)$/gm), (m) => m[1])).toEqual(['Severity policy', ...ids]);
    expect(Array.from(generated.matchAll(/^\| \[([a-z0-9-]+)\]\(#\1\) \|/gm), (m) => m[1])).toEqual(ids);
    const sections = generated.split(/^## /m).slice(2); // after the severity policy
    const headings = [
      'Problem',
      'Proposal',
      'Example',
      'Options',
      'Switch off or change severity',
      'Suppress one finding',
    ];
    for (const [i, section] of sections.entries()) {
      expect(Array.from(section.matchAll(/^### (.+)$/gm), (m) => m[1])).toEqual(headings);
      expect(section).toContain(`"${ids[i]}": "off"`);
      expect(section).toContain(`/// idxgen-ignore ${ids[i]} -- <reason>`);
    }
  });

  it('is plain, deterministic Markdown: LF, final newline, balanced fences', () => {
    expect(renderRulesMd(allRules)).toBe(generated);
    expect(generated).not.toMatch(/\r/);
    expect(generated.endsWith('\n') && !generated.endsWith('\n\n')).toBe(true);
    expect((generated.match(/^```/gm) ?? []).length % 2).toBe(0);
  });

  describe('renderRulesMd', () => {
    const rule = (meta: Partial<RuleDocSource['meta']>): RuleDocSource => ({
      meta: {
        id: 'demo-rule',
        summary: 'A demo | with a pipe and <tag>.',
        defaultSeverity: 'warn',
        basis: 'request',
        defaultOptions: {},
        docs: {
          problem: 'Uses `a | b` and <expr> and *stars*.',
          proposal: 'Propose _x_ for snake_case.',
          bad: 'model A {\n  id Int @id\n}',
          good: 'model A {\n  id Int @id\n}\n-- migration.sql:\nSELECT 1;',
        },
        ...meta,
      },
    });

    it('escapes prose outside code spans, keeps code spans, escapes | in the index table', () => {
      const md = renderRulesMd([rule({})]);
      expect(md).toContain('| [demo-rule](#demo-rule) | `warn` | request | A demo \\| with a pipe and \\<tag\\>. |');
      expect(md).toContain('Uses `a | b` and \\<expr\\> and \\*stars\\*.');
      expect(md).toContain('Propose \\_x\\_ for snake_case.');
    });

    it('puts the SQL part of an example in its own sql block', () => {
      const md = renderRulesMd([rule({})]);
      expect(md).toContain('```prisma\nmodel A {\n  id Int @id\n}\n```\n\n```sql\n-- migration.sql:\nSELECT 1;\n```');
    });

    it('lists options with their JSON default, and a description only when the rule gives one', () => {
      const md = renderRulesMd([
        rule({ defaultOptions: { fields: ['a'], strict: false }, optionDocs: { strict: 'Fail on anything.' } }),
      ]);
      expect(md).toContain('- `fields` (default `["a"]`)\n- `strict` (default `false`): Fail on anything.');
      expect(renderRulesMd([rule({})])).toContain('### Options\n\nNone.');
    });
  });
});
