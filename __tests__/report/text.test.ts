import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderCheck, renderPlan } from '../../src/report';
import { codeSpan, fence, htmlText, markdownText } from '../../src/report/markdown-escape';
import { MARKDOWN_BUDGET, planTextChunks, renderPlanMarkdown } from '../../src/report/plan-text';
import { REPORT_TEMPLATE_NAMES, renderTemplate, type TemplateName } from '../../src/render/templates';
import { finish, finishChunks, insteadClause, printable, wrap } from '../../src/report/text';
import { checkInput, fkFinding, HOSTILE_COLUMN, planInput } from '../support/report-fixtures';

const ANSI = /\u001b\[[0-9;]*m/g;

describe('text plan', () => {
  test('without --verbose: one line per proposal grouped by table, the skipped count, one closing line', () => {
    const input = planInput();
    const brief = renderPlan('text', input, { color: false });
    const full = renderPlan('text', input, { color: false, verbose: true });
    expect(brief.split('\n').length).toBeLessThan(full.split('\n').length / 2);
    expect(brief).not.toContain('Cost:');
    expect(brief).not.toContain('SQL:');
    for (const entry of input.plan.entries) expect(brief).toContain(`${entry.ruleId}: `);
    const total = input.plan.entries.length;
    expect(brief).toMatch(
      new RegExp(
        `${total} proposals?: \\d+ error, \\d+ warn, \\d+ info\\. A default \`idxgen generate\` writes the \\d+ at error and warn`,
      ),
    );
  });

  const plain = renderPlan('text', planInput(), { color: false, verbose: true });

  test('colour only when asked, and colour adds nothing but ANSI codes', () => {
    const colored = renderPlan('text', planInput(), { color: true, verbose: true });
    expect(plain).not.toMatch(ANSI);
    expect(colored).toMatch(ANSI);
    expect(colored.replace(ANSI, '')).toBe(plain);
    const check = renderCheck('text', checkInput(), { color: true });
    expect(check).toMatch(ANSI);
    expect(check.replace(ANSI, '')).toBe(renderCheck('text', checkInput(), { color: false }));
  });

  test('header says what was loaded, with warnings at file:line:col', () => {
    const lines = plain.split('\n');
    expect(lines[0]).toBe('idxgen 0.0.0-test plan for prisma/schema.prisma, prisma/user.prisma');
    expect(lines[1]).toBe(
      'Loaded 2 tables, 2 foreign keys (1 without an index), 2 declared indexes, 2 unique constraints.',
    );
    expect(plain).toContain('  prisma/schema.prisma:3:3: warning legacy-datasource-url: datasource `url`');
  });

  test('summary lists error-level proposals first; entries keep plan order, grouped by table', () => {
    expect(plain).toContain('5 proposals: 1 error, 2 warn, 2 info\n  error fk-index:');
    const post = plain.indexOf('Table "Post" (model Post)');
    const user = plain.indexOf('Table "User" (model User)');
    expect(post).toBeGreaterThan(0);
    expect(user).toBeGreaterThan(post);
    const order = [
      '  error fk-index:',
      '  warn enum-check:',
      '  warn redundant-index:',
      '  info covering-index:',
      '  info json-gin-index:',
    ].map((s) => plain.indexOf(s, post));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
  });

  test('an entry shows cost, Instead, Serves, Prisma, SQL and Satisfies', () => {
    const start = plain.indexOf('  error fk-index:', plain.indexOf('Table "Post"'));
    const block = plain.slice(start, plain.indexOf('\n\n', start));
    expect(block).toMatch(/^ {4}Cost: Every DELETE on "User"/m);
    expect(block).toMatch(/^ {4}Instead, create a btree index on "Post"/m);
    expect(block).toContain('    Serves: SELECT … FROM "Post" WHERE "authorId" = $1');
    expect(block).toContain('    Prisma: @@index([authorId], map: "Post_authorId_idx")');
    expect(block).toContain(
      '    SQL:\n      CREATE INDEX CONCURRENTLY IF NOT EXISTS "Post_authorId_idx" ON "Post" USING btree ("authorId");',
    );
    expect(block).toContain(
      '    Satisfies:\n      warn lookup-index: Reads of "Post" by ("authorId") have no index (prisma/schema.prisma:14:3)',
    );
  });

  test('CHECK entries print both SQL steps; drift is loud; drops say what to remove; skipped and unused are listed', () => {
    expect(plain).toMatch(/NOT VALID;\n {6}RESET lock_timeout;\n {6}ALTER TABLE "Post" VALIDATE CONSTRAINT/);
    expect(plain).toContain('    DRIFT: Prisma cannot declare an index with INCLUDE columns');
    expect(plain).toContain('    Prisma: remove @@index([title], map: "Post_title_idx") at prisma/schema.prisma:23:3');
    expect(plain).toContain('Skipped (1):\n  info soft-delete-partial-index:');
    expect(plain).toContain(
      'Unused suppressions (1):\n  prisma/schema.prisma:19:3: /// idxgen-ignore fk-index, lookup-index matched no finding',
    );
  });

  test('hostile names print as quoted identifiers; control characters never reach the terminal', () => {
    expect(plain).toContain(`"${HOSTILE_COLUMN.replace(/"/g, '""')}"`);
    const input = planInput();
    input.plan.entries[0]!.message = { ...input.plan.entries[0]!.message, title: 'evil\u001b[2J\u0007 title\u202e' };
    const out = renderPlan('text', input, { color: false, verbose: true });
    expect(out).toContain('evil\\u001b[2J\\u0007 title\\u202e');
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
  });
});

describe('text check', () => {
  test('eslint-style lines, a fix line, and a summary', () => {
    const out = renderCheck('text', checkInput(), { color: false });
    expect(out.split('\n').slice(0, 4)).toEqual([
      'prisma/schema.prisma:14:3: error fk-index: Foreign key "Post" ("authorId") → "User" has no index',
      '    Instead, create a btree index on "Post" ("authorId") so the FK checks and the joins use an index',
      '    scan.',
      '    Fix: add @@index([authorId], map: "Post_authorId_idx") to model Post',
    ]);
    expect(out).toContain('prisma/schema.prisma:19:3: warning unused-suppression:');
    expect(out.endsWith('\n6 problems (1 error, 3 warnings, 2 info), 1 unused suppression\n')).toBe(true);
  });

  test('summary pluralizes and leaves out info when there is none', () => {
    const input = checkInput();
    input.findings = [fkFinding];
    input.unusedSuppressions = [];
    expect(renderCheck('text', input, { color: false }).endsWith('\n1 problem (1 error, 0 warnings)\n')).toBe(true);
  });
});

describe('markdown plan', () => {
  const md = renderPlan('markdown', planInput(), { color: false });

  test('summary table: one row per entry, error first, exactly four cells per row despite | in names', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows[0]).toBe('| Severity | Table | Rule | Proposal |');
    expect(rows.slice(2).map((r) => r.split('|')[1]!.trim())).toEqual(['error', 'warn', 'warn', 'info', 'info']);
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(6);
  });

  test('one <details> per entry with prisma and sql fences; fences survive backticks in SQL', () => {
    expect(md.match(/<details>/g)).toHaveLength(6); // 5 entries + skipped
    expect(md).toContain('```prisma\n@@index([authorId], map: "Post_authorId_idx")\n```');
    expect(md).toContain('```sql\nSET lock_timeout = \'5000ms\';\nALTER TABLE "Post" DROP CONSTRAINT IF EXISTS');
    expect(md).toContain('> [!WARNING]\n> **Drift:**');
  });

  test('escaping helpers', () => {
    expect(markdownText('a|b *c* @team $x$ <b> `d` #12')).toBe('a\\|b \\*c\\* \\@team \\$x\\$ \\<b\\> \\`d\\` \\#12');
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`a')).toBe('`` `a ``');
    expect(codeSpan('x|y', true)).toBe('`x\\|y`');
    expect(fence('select 1;\n```\nmore', 'sql')).toBe('````sql\nselect 1;\n```\nmore\n````');
    expect(htmlText('<b>"x" & @y</b>')).toBe('&#60;b&#62;&#34;x&#34; &#38; &#64;y&#60;/b&#62;');
  });
});

describe('helpers', () => {
  test('insteadClause lower-cases an ordinary first word only', () => {
    expect(insteadClause('Create a btree index.')).toBe('create a btree index.');
    expect(insteadClause('Instead, add X.')).toBe('add X.');
    expect(insteadClause('GIN index on "a".')).toBe('GIN index on "a".');
    expect(insteadClause('Prisma needs ...')).toBe('Prisma needs ...');
    expect(insteadClause('"quoted" first')).toBe('"quoted" first');
  });

  test('wrap keeps long words whole, indents continuation lines, ignores colour codes', () => {
    expect(wrap('aaa bbb ccc', 7, 2)).toBe('aaa\n  bbb\n  ccc');
    expect(wrap('aaa bbb', 7, 0)).toBe('aaa bbb');
    expect(wrap('x'.repeat(20) + ' y', 10, 2)).toBe(`${'x'.repeat(20)}\n  y`);
    expect(wrap('\u001b[1maaa\u001b[22m bbb', 7, 0)).toBe('\u001b[1maaa\u001b[22m bbb');
    expect(wrap('ab  cd', 80, 0)).toBe('ab  cd');
    // The line's visible length is kept as it grows: colour codes and padding of earlier words count right.
    expect(wrap('\u001b[1maaa\u001b[22m bbb ccc', 7, 0)).toBe('\u001b[1maaa\u001b[22m bbb\nccc');
    expect(wrap('ab  cd ef', 6, 0)).toBe('ab  cd\nef');
  });

  test('printable and finish', () => {
    expect(printable('a\tb\nc\u001b')).toBe('a b\\u000ac\\u001b');
    expect(printable('a\nb', true)).toBe('a\nb');
    expect(finish('a  \r\nb\n\n\n')).toBe('a\nb\n');
    expect(finish('\n')).toBe('');
  });

  test('finishChunks: pieces that end at line ends, joined, equal finish of the whole', () => {
    const cases: string[][] = [
      ['head  \n', '\nTable a\n\n', '\n\n'],
      ['head\n\n', '  \n', '\nTable a\r\n', ''],
      ['\n', '\n'],
      ['', 'only\n', '\n\n\n'],
      [],
    ];
    for (const chunks of cases) expect([...finishChunks(chunks)].join('')).toBe(finish(chunks.join('')));
    // Blank lines between pieces stay; those at the very end go.
    expect([...finishChunks(['a\n\n', 'b\n\n'])]).toEqual(['a', '\n\nb', '\n']);
  });

  test('plan text is written in pieces: header, one per table, end (each piece written as it is made)', () => {
    const input = planInput();
    const chunks = [...planTextChunks(input, false, true)];
    expect(chunks.join('')).toBe(renderPlan('text', input, { color: false, verbose: true }));
    const brief = [...planTextChunks(input, false)];
    expect(brief.join('')).toBe(renderPlan('text', input, { color: false }));
    const tables = new Set(input.plan.entries.map((e) => e.spec.table)).size;
    expect(tables).toBeGreaterThan(1);
    // header + one per table + final newline; the end part holds the skipped list here.
    expect(chunks.length).toBeGreaterThanOrEqual(tables + 2);
    expect(chunks.filter((c) => c.includes('Table ')).length).toBe(tables);
  });

  test('a missing report template is an error, not a fallback', () => {
    expect(() => renderTemplate('report/no-such-template' as TemplateName, {})).toThrow(
      /template missing or unreadable: templates\/report\/no-such-template\.hbs/,
    );
  });

  test('every template in templates/report is a known name and compiles strict', () => {
    const dir = path.join(__dirname, '..', '..', 'templates', 'report');
    const names = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => `report/${f.slice(0, -4)}`)
      .sort();
    expect(names).toEqual([...REPORT_TEMPLATE_NAMES].sort());
    expect(() => renderTemplate('report/message.text', {})).toThrow(/not defined/);
  });
});

describe('markdown size budget', () => {
  test('a plan that fits is not touched', () => {
    expect(renderPlanMarkdown(planInput())).toBe(renderPlan('markdown', planInput(), { color: false }));
    expect(MARKDOWN_BUDGET).toBeLessThan(65536);
  });

  test('too long: skipped list, then low-priority details, then table rows are left out, with a note', () => {
    const full = renderPlanMarkdown(planInput());
    const budget = full.length - 200;
    const cut = renderPlanMarkdown(planInput(), budget);
    expect(cut.length).toBeLessThanOrEqual(budget);
    expect(cut).toContain('> [!NOTE]\n> This plan is too long for one comment. Left out:');
    expect(cut).toContain('1 proposal skipped.');
    expect(cut).not.toContain('<summary>Skipped');
    // The error-level entry keeps its details longest.
    expect(cut).toContain('<summary><b>error</b> <code>fk-index</code>');
    expect(renderPlanMarkdown(planInput(), budget)).toBe(cut);

    const tiny = renderPlanMarkdown(planInput(), 1200);
    expect(tiny.length).toBeLessThanOrEqual(1200);
    expect(tiny).not.toContain('<details>');
    expect(tiny).toMatch(/…and \d+ more proposals? not listed here\./);
    expect(tiny).toContain('| error | `"Post"` | `fk-index` |');
  });
});
