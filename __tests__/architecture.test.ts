/**
 * The import direction of ARCHITECTURE.md, enforced: every import of src/ (static, `export ...
 * from`, `import()`, `require()`, `import('x').T` types), read with TypeScript's own parser, goes
 * to its own layer or a lower one. `render/` and `report/` read the plan's types only. The few
 * known exceptions are listed with their reason; one that no longer occurs fails too, so the
 * list only shrinks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const SRC = path.join(__dirname, '..', 'src');

/** Top to bottom, as in ARCHITECTURE.md. A module is matched by its path under src/ (longest prefix first). */
const LAYERS: readonly (readonly string[])[] = [
  ['index.ts', 'cli/'],
  ['io/', 'generate/', 'verify/', 'deploy/', 'docs/', 'prisma/', 'inspect/'],
  ['report/'],
  ['plan/'],
  ['render/'],
  ['rules/', 'config/', 'compat/'],
  ['schema/', 'workload/', 'db/'],
  ['model/', 'sql/', 'errors.ts', 'templates.ts', 'package-dir.ts', 'render/predicate.ts', 'render/query.ts'],
];

/** Imports against the direction that exist today, each with why; `from -> to` as paths under src/. */
const KNOWN: Record<string, string> = {
  'templates.ts -> report/helpers.ts': 'the one Handlebars environment registers the report helpers',
  'plan/in-migrations.ts -> generate/migration-sql.ts':
    'the plan settles entries by the statements migrations already hold',
  'plan/steps.ts -> generate/migration-sql.ts':
    "a step's effect is the Effect type the migration reader yields (the type belongs below both)",
};

export function layerOf(file: string): number {
  let best = -1;
  let length = -1;
  LAYERS.forEach((prefixes, k) => {
    for (const p of prefixes)
      if ((file === p || file.startsWith(p)) && p.length > length) [best, length] = [k, p.length];
  });
  if (best < 0) throw new Error(`src/${file} is in no layer of ARCHITECTURE.md: add its folder there and here`);
  return best;
}

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** The relative imports of one file, parsed (not matched with regexes). */
export function importsOf(file: string, text: string): { specifier: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named =
        clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly)));
      out.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require'))
        out.push({ specifier: (node.arguments[0] as ts.StringLiteral).text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      out.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out.filter((i) => i.specifier.startsWith('.'));
}

/** Files the build writes into dist/ beside the one module that requires them (none is in src/), and by what. */
const BUILD_OUTPUTS: Record<string, { importer: string; by: string }> = {
  'templates.compiled.js': { importer: 'templates.ts', by: 'scripts/precompile-templates.js' },
};

function resolve(fromFile: string, specifier: string): string {
  const base = path.resolve(path.dirname(path.join(SRC, fromFile)), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile())
      return path.relative(SRC, candidate).split(path.sep).join('/');
  }
  // A build output belongs to the layer of the module that requires it.
  if (BUILD_OUTPUTS[path.relative(SRC, base).split(path.sep).join('/')]?.importer === fromFile) return fromFile;
  throw new Error(`src/${fromFile}: cannot resolve ${specifier}`);
}

function sourceFiles(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [path.relative(SRC, full).split(path.sep).join('/')] : [];
  });
}

/** Imports against the direction: upward, or a value import of plan/ from render/ or report/. */
export function violations(imports: readonly Import[]): string[] {
  return imports
    .filter((i) => {
      if (i.to.startsWith('plan/') && (i.from.startsWith('render/') || i.from.startsWith('report/')))
        return !i.typeOnly;
      return layerOf(i.to) < layerOf(i.from);
    })
    .map((i) => `${i.from} -> ${i.to}`);
}

const all: Import[] = sourceFiles().flatMap((from) =>
  importsOf(from, fs.readFileSync(path.join(SRC, from), 'utf8')).map((i) => ({
    from,
    to: resolve(from, i.specifier),
    typeOnly: i.typeOnly,
  })),
);

test('every import of src/ goes down the layers of ARCHITECTURE.md (or is a listed exception)', () => {
  expect(all.length).toBeGreaterThan(300);
  const found = [...new Set(violations(all))].sort();
  expect(found.filter((v) => !(v in KNOWN))).toEqual([]);
  // An exception fixed is removed from the list.
  expect(Object.keys(KNOWN).filter((k) => !found.includes(k))).toEqual([]);
});

test('the check sees each kind of import, and tells type-only imports apart', () => {
  const text = [
    "import { a } from '../plan/plan';",
    "import type { B } from '../plan/types';",
    "import { type C } from '../plan/types';",
    "export { d } from '../cli/main';",
    "const e = require('../verify/index');",
    "type F = import('../generate/types').G;",
    "import * as fs from 'node:fs';",
    "// import { x } from '../cli/main';",
  ].join('\n');
  expect(importsOf('render/x.ts', text)).toEqual([
    { specifier: '../plan/plan', typeOnly: false },
    { specifier: '../plan/types', typeOnly: true },
    { specifier: '../plan/types', typeOnly: true },
    { specifier: '../cli/main', typeOnly: false },
    { specifier: '../verify/index', typeOnly: false },
    { specifier: '../generate/types', typeOnly: true },
  ]);
  expect(
    violations([
      { from: 'render/sql.ts', to: 'plan/plan.ts', typeOnly: false },
      { from: 'render/sql.ts', to: 'plan/types.ts', typeOnly: true },
      { from: 'model/serves.ts', to: 'rules/coverage.ts', typeOnly: true },
      { from: 'rules/coverage.ts', to: 'render/predicate.ts', typeOnly: false },
      { from: 'rules/coverage.ts', to: 'render/sql.ts', typeOnly: false },
      { from: 'cli/main.ts', to: 'model/types.ts', typeOnly: false },
    ]),
  ).toEqual([
    'render/sql.ts -> plan/plan.ts',
    'model/serves.ts -> rules/coverage.ts',
    'rules/coverage.ts -> render/sql.ts',
  ]);
});
