/**
 * The one loader for `templates/` (all SQL and report text). One Handlebars environment with every
 * helper and partial; strict (a value a template names but the data lacks throws) and no HTML
 * escaping (every value is an SQL, comment or report fragment made safe in TypeScript).
 *
 * `npm run build` precompiles every template into `dist/templates.compiled.js` (Handlebars'
 * compiler costs ~100 ms of a cold run; the runtime alone does not load it). Under ts-jest that
 * file does not exist and templates are compiled from `templates/` on first use; the CLI tests
 * run the built binary, so both paths are exercised. A missing template is an error either way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Handlebars from 'handlebars';
import { registerReportHelpers } from './report/helpers';

type Env = typeof Handlebars;
type Precompiled = Record<string, () => TemplateSpecification>;

export const COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

/** `templates/` of this package: beside `src/` in the checkout, beside `dist/` when installed. */
export function templatesRoot(): string {
  return path.join(__dirname, '..', 'templates');
}

let state: { env: Env; precompiled?: Precompiled; cache: Map<string, Handlebars.TemplateDelegate> } | undefined;

function load(): NonNullable<typeof state> {
  if (state) return state;
  // A literal path, so the CLI bundle (scripts/bundle-cli.js) holds the templates too and V8's code
  // cache covers them (src/cli/code-cache.ts).
  const precompiled = fs.existsSync(path.join(__dirname, 'templates.compiled.js'))
    ? (require('./templates.compiled.js') as Precompiled)
    : undefined;
  const env: Env = precompiled
    ? (require('handlebars/runtime') as Env).create()
    : (require('handlebars') as Env).create();
  registerReportHelpers(env);
  env.registerHelper('noun', (count: unknown, one: unknown, many: unknown) => (count === 1 ? one : many));
  env.registerHelper('inc', (n: unknown) => Number(n) + 1);
  state = { env, precompiled, cache: new Map() };
  // The precompiled set names every template: no need to walk templates/ for the partials.
  const names = precompiled ? Object.keys(precompiled) : listTemplates();
  for (const name of names.filter((n) => n.startsWith('partials/'))) {
    env.registerPartial(
      path
        .basename(name)
        .replace(/\.[^/]*$/, '')
        .replace(/\.sql$/, ''),
      template(name),
    );
  }
  return state;
}

/** The compiled template at `templates/<name>` (e.g. `sql/create-index.sql.hbs`). */
export function template(name: string): Handlebars.TemplateDelegate {
  const s = load();
  const cached = s.cache.get(name);
  if (cached) return cached;
  let compiled: Handlebars.TemplateDelegate;
  if (s.precompiled) {
    const spec = s.precompiled[name]?.();
    if (!spec) throw new Error(`idxgen template missing: templates/${name} (not in the precompiled set; rebuild)`);
    compiled = s.env.template(spec);
  } else {
    compiled = compileFromSource(s.env, name);
  }
  s.cache.set(name, compiled);
  return compiled;
}

function compileFromSource(env: Env, name: string): Handlebars.TemplateDelegate {
  const source = readTemplateSource(name);
  let ast: hbs.AST.Program;
  try {
    // Parse now (compile() defers parsing to the first render) so the error names the template.
    ast = env.parse(source);
  } catch (error) {
    throw new Error(
      `idxgen template templates/${name} does not parse: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return env.compile(ast, COMPILE_OPTIONS);
}

export function readTemplateSource(name: string): string {
  const file = path.join(templatesRoot(), name);
  try {
    return fs.readFileSync(file, 'utf8').replace(/\r\n?/g, '\n');
  } catch (error) {
    throw new Error(
      `idxgen template missing or unreadable: templates/${name} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

/** Every `*.hbs` below `templates/`, as `dir/name.ext.hbs`, sorted. */
export function listTemplates(root: string = templatesRoot()): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.hbs')) out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}
