/**
 * Config keys named like Object.prototype's members (`constructor`, `__proto__`, `toString`,
 * `hasOwnProperty`, `valueOf`) at every depth of the config, in a config file and in package.json
 * "idxgen": each is an unknown key or option, exit 2 with its path, never a crash.
 */
import { allRules } from '../../src/rules/registry';
import { DATASOURCE, runCli, tempProject } from '../support/cli';

const SCHEMA = `${DATASOURCE}
model User {
  id Int @id
}
`;
const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `{ "<name>": 1 }` placed at `path` (JSON text: a `__proto__` key must stay an own key). */
function configText(path: string[], name: string): string {
  let inner = `{${JSON.stringify(name)}: 1}`;
  for (const key of [...path].reverse()) inner = `{${JSON.stringify(key)}: ${inner}}`;
  return inner;
}

/** Every object inside a rule's default options, as a path below `options`. */
function objectPaths(value: Json, at: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return [at, ...Object.entries(value).flatMap(([k, v]) => objectPaths(v, [...at, k]))];
}

interface Case {
  where: string[];
  name: string;
  message: RegExp;
}

const cases: Case[] = NAMES.flatMap((name) => [
  { where: [], name, message: new RegExp(`^config ${name.replace(/\$/g, '\\$')}: unknown key`) },
  { where: ['rules'], name, message: new RegExp(`^config rules\\.${name}: unknown rule`) },
  { where: ['rules', 'fk-index'], name, message: new RegExp(`^config rules\\.fk-index\\.${name}: unknown key`) },
  ...allRules.flatMap((rule) =>
    objectPaths(rule.meta.defaultOptions as Json).map((inner) => ({
      where: ['rules', rule.meta.id, 'options', ...inner],
      name,
      message: new RegExp(
        `^config rules\\.${rule.meta.id.replace(/-/g, '\\-')}\\.options\\.${[...inner, name].join('\\.')}: unknown option`,
      ),
    })),
  ),
]);

test('the cases reach every rule and a nested options object', () => {
  expect(new Set(cases.map((c) => c.where[1]))).toEqual(new Set([undefined, ...allRules.map((r) => r.meta.id)]));
  expect(cases.some((c) => c.where.length >= 4)).toBe(true); // check-constraint.options.heuristics
});

test.each(cases.map((c) => ({ ...c, at: [...c.where, c.name].join('.') })))(
  'idxgen.config.json $at: exit 2 with the path',
  async ({ where, name, message }) => {
    const project = tempProject({ 'schema.prisma': SCHEMA, 'idxgen.config.json': configText(where, name) });
    try {
      const result = await runCli(['check'], project.dir);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]!.replace(/^idxgen\.config\.json: /, '')).toMatch(message);
    } finally {
      project.cleanup();
    }
  },
);

test.each(NAMES)('package.json "idxgen" with %s inside an option: exit 2 with the path', async (name) => {
  const project = tempProject({
    'schema.prisma': SCHEMA,
    'package.json': `{"name": "x", "idxgen": ${configText(['rules', 'check-constraint', 'options', 'heuristics'], name)}}`,
  });
  try {
    const result = await runCli(['plan'], project.dir);
    expect(result.stderr).toMatch(
      new RegExp(
        `^package\\.json#idxgen: config rules\\.check-constraint\\.options\\.heuristics\\.${name}: unknown option`,
      ),
    );
    expect(result.code).toBe(2);
  } finally {
    project.cleanup();
  }
});

test('a package.json without "idxgen" is no config, even though every object has a toString', async () => {
  const project = tempProject({ 'schema.prisma': SCHEMA, 'package.json': '{"name": "x", "toString": 1}' });
  try {
    expect((await runCli(['check'], project.dir)).code).toBe(0);
  } finally {
    project.cleanup();
  }
});
