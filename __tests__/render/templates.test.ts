import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllTemplates, renderTemplate, TEMPLATE_NAMES, templatesDir, type TemplateName } from '../../src/render/templates';

function listed(dir: string): string[] {
  return readdirSync(join(templatesDir(), dir))
    .filter((f) => f.endsWith('.sql.hbs'))
    .map((f) => `${dir}/${f.slice(0, -'.sql.hbs'.length)}`)
    .sort();
}

test('every template compiles', () => {
  expect(() => loadAllTemplates()).not.toThrow();
});

test('every template file is known and every known template has a file (no orphans, no fallbacks)', () => {
  const files = ['migration-header', ...listed('sql'), ...listed('sql/introspect'), ...listed('steps')].sort();
  expect([...TEMPLATE_NAMES].sort()).toEqual(files);
});

test('each statement kind has its up and down side by side', () => {
  const sql = listed('sql');
  const kinds = [...new Set(sql.map((n) => n.replace(/\.(up|down)$/, '')))];
  for (const kind of kinds) expect(sql).toEqual(expect.arrayContaining([`${kind}.up`, `${kind}.down`]));
  expect(kinds.sort()).toEqual(['sql/add-check', 'sql/create-extension', 'sql/create-index', 'sql/drop-index', 'sql/validate-check']);
});

test('a missing template is an error naming the file', () => {
  expect(() => renderTemplate('sql/nope.up' as TemplateName, {})).toThrow(/template missing or unreadable: .*templates[\\/]sql[\\/]nope\.up\.sql\.hbs/);
});

test('strict: a value the template names but the data lacks throws instead of printing nothing', () => {
  expect(() => renderTemplate('sql/validate-check.up', { table: '"t"' })).toThrow(/"name" not defined/);
});

test('noEscape: SQL fragments are printed as given (no HTML escaping of quotes or <, >, &)', () => {
  expect(renderTemplate('sql/validate-check.up', { table: `"a&b<c>'d'"`, name: '"x"' }).trim()).toBe(`ALTER TABLE "a&b<c>'d'" VALIDATE CONSTRAINT "x";`);
});

test('templates are resolved from this package, not from the working directory', () => {
  const cwd = process.cwd();
  try {
    process.chdir('/');
    expect(templatesDir()).toBe(join(__dirname, '..', '..', 'templates'));
    expect(renderTemplate('sql/create-index.down', { qualifiedName: '"i"' }).trim()).toBe('DROP INDEX CONCURRENTLY IF EXISTS "i";');
  } finally {
    process.chdir(cwd);
  }
});
