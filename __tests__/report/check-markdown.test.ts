/**
 * `check --format markdown`: a findings table (it used to be accepted and print the text report).
 * The full report is a golden (__golden__/check.md); here: the table's shape with hostile names,
 * the order, a clean run, the size budget, and the command end to end.
 */
import { renderCheck } from '../../src/report';
import { renderCheckMarkdown } from '../../src/report/check-markdown';
import { runCli, tempProject, UNINDEXED_FK_SCHEMA } from '../support/cli';
import { checkInput } from '../support/report-fixtures';

const md = renderCheck('markdown', checkInput(), { color: false });
const tableRows = (text: string) => text.split('\n').filter((l) => l.startsWith('| '));

test('one row per finding, exactly five cells despite | and backticks in names, errors first', () => {
  const rows = tableRows(md);
  expect(rows[0]).toBe('| Severity | Location | Rule | Finding | Fix |');
  expect(rows.slice(2)).toHaveLength(checkInput().findings.length);
  for (const row of rows) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(7);
  expect(rows.slice(2).map((r) => r.split('|')[1]!.trim())).toEqual(['error', 'warn', 'warn', 'warn', 'info', 'info']);
  expect(md).toContain(
    '| error | `prisma/schema.prisma:14:3` | `fk-index` | Foreign key "Post" ("authorId") → "User" has no index | add `@@index([authorId], map: "Post_authorId_idx")` to model `Post` |',
  );
  expect(md).not.toMatch(/^prisma\/schema\.prisma:\d+:\d+: error/m); // not the text report
});

test('a clean check says so (a PR comment or job summary is never blank)', () => {
  const clean = { ...checkInput(), findings: [], unusedSuppressions: [] };
  expect(renderCheck('markdown', clean, { color: false })).toBe('### idxgen check\n\n**No problems.**\n');
});

test('over the budget: the worst rows stay, a note says how many were left out', () => {
  const budget = md.length - 300;
  const cut = renderCheckMarkdown(checkInput(), budget);
  expect(cut.length).toBeLessThanOrEqual(budget);
  const rows = tableRows(cut).slice(2);
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.length).toBeLessThan(checkInput().findings.length);
  expect(rows[0]).toMatch(/^\| error \|/);
  expect(cut).toContain(`…and ${checkInput().findings.length - rows.length} more finding`);
});

test('idxgen check --format markdown: the table, exit 1 on an error-level finding', async () => {
  const schema = UNINDEXED_FK_SCHEMA;
  const project = tempProject({ 'prisma/schema.prisma': schema });
  try {
    const result = await runCli(['check', '--format', 'markdown'], project.dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        '### idxgen check',
        '',
        '**1 problem (1 error, 0 warnings)**',
        '',
        '| Severity | Location | Rule | Finding | Fix |',
        '| --- | --- | --- | --- | --- |',
        '| error | `prisma/schema.prisma:13:3` | `fk-index` | Foreign key "Post" ("authorId") → "User" has no index | add `@@index([authorId], map: "Post_authorId_idx")` to model `Post` |',
        '',
      ].join('\n'),
    );
  } finally {
    project.cleanup();
  }
});
