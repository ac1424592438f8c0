import { readdirSync } from 'node:fs';
import type { StepKind } from '../../src/plan/steps';
import { join } from 'node:path';
import {
  loadAllTemplates,
  renderTemplate,
  TEMPLATE_NAMES,
  templatesDir,
  type TemplateName,
} from '../../src/render/templates';

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
  const files = [
    'migration-header',
    ...listed('sql'),
    ...listed('sql/introspect'),
    ...listed('sql/scratch'),
    ...listed('steps'),
  ].sort();
  expect([...TEMPLATE_NAMES].sort()).toEqual(files);
});

test('one statement template per step kind (an inverse is a step kind too)', () => {
  // Typed against StepKind: a new kind does not compile here until it is listed.
  const kinds: Record<StepKind, true> = {
    'create-extension': true,
    'keep-extension': true,
    'create-index': true,
    'drop-index': true,
    'add-check': true,
    'drop-check': true,
    'validate-check': true,
    'keep-validated': true,
    'create-index-only': true,
    'attach-index': true,
    'drop-partitioned-index': true,
  };
  expect(listed('sql')).toEqual(
    Object.keys(kinds)
      .map((k) => `sql/${k}`)
      .sort(),
  );
});

test('a missing template is an error naming the file', () => {
  expect(() => renderTemplate('sql/nope.up' as TemplateName, {})).toThrow(
    /template missing or unreadable: .*templates[\\/]sql[\\/]nope\.up\.sql\.hbs/,
  );
});

test('strict: a value the template names but the data lacks throws instead of printing nothing', () => {
  expect(() => renderTemplate('sql/validate-check', { table: '"t"' })).toThrow(/"name" not defined/);
});

test('noEscape: SQL fragments are printed as given (no HTML escaping of quotes or <, >, &)', () => {
  expect(renderTemplate('sql/validate-check', { table: `"a&b<c>'d'"`, name: '"x"' }).trim()).toBe(
    `ALTER TABLE "a&b<c>'d'" VALIDATE CONSTRAINT "x";`,
  );
});

test('templates are resolved from this package, not from the working directory', () => {
  const cwd = process.cwd();
  try {
    process.chdir('/');
    expect(templatesDir()).toBe(join(__dirname, '..', '..', 'templates'));
    expect(renderTemplate('sql/drop-index', { concurrently: true, qualifiedName: '"i"' }).trim()).toBe(
      'DROP INDEX CONCURRENTLY IF EXISTS "i";',
    );
  } finally {
    process.chdir(cwd);
  }
});
