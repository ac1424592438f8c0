/**
 * Golden examples: each `examples/<case>/` holds a schema and, under `expected/`, everything idxgen
 * prints or writes for it. The test copies the case to a temp folder, runs the CLI there (cwd = the
 * copy, relative `--schema`, NO_COLOR) and compares byte for byte:
 *
 *   expected/plan.txt, plan.json, plan.sarif, plan.md, plan.github.txt   `plan --format <f>` stdout
 *   expected/check.txt                     `exit: N`, then `check` stdout
 *   expected/generate.txt                  `generate --timestamp 20260101000000` stdout
 *   expected/generate/<path>               every file that generate created or changed in the copy
 *                                          (migration folders, migration_lock.toml, the schema file(s))
 *   expected/generate-again.txt            `exit: N`, then stdout of generate run again on the result
 *   expected/generate-check.txt            `exit: N`, then stdout of `check` on the result
 *   expected/generate-all.txt, generate-all/<path>
 *                                          the same for `--include-info --preview-features`, in a
 *                                          fresh copy
 *   expected/<name>.stderr                 stderr of a command, only when it printed any
 *
 * It also proves determinism: every command runs twice (generate in two fresh copies) with
 * byte-identical output and trees, and a second generate on the generated tree (with a later
 * timestamp) writes nothing. No output embeds the temp folder's path today; should one start to,
 * the path is replaced by `<project>` (so the goldens stay stable) and a test names the file.
 *
 * The `bundled` case reads `prisma/schema.prisma` itself (it is not copied into examples/).
 *
 * Review the diff, then update the goldens with an explicit command:
 *
 *   UPDATE_GOLDEN=1 npx jest __tests__/examples.test.ts
 *
 * (expectGolden in support/golden.ts only writes below __tests__/, so this file compares against
 * examples/ with the same UPDATE_GOLDEN switch; stale files in expected/ are removed on update.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, runCli, snapshotTree, tempProject, type RunResult } from './support/cli';
import { updatingGoldens } from './support/golden';

const EXAMPLES = path.join(REPO, 'examples');
const TIMESTAMP = '20260101000000';
/** A later timestamp for the re-run: if anything were still pending it would land in a new folder. */
const LATER_TIMESTAMP = '20260102000000';
const FORMATS = [
  ['text', 'plan.txt'],
  ['json', 'plan.json'],
  ['sarif', 'plan.sarif'],
  ['markdown', 'plan.md'],
  ['github', 'plan.github.txt'],
] as const;

interface ExampleCase {
  name: string;
  /** `--schema` argument, relative to the project root. */
  schema: string;
  /** The project's input files (path in the copy → content). */
  files: () => Record<string, string>;
}

/** Every file below `dir` (relative, `/`-separated) except `expected/`. */
function readCaseInputs(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (child === 'expected') continue;
      if (entry.isDirectory()) walk(child);
      else out[child] = fs.readFileSync(path.join(dir, child), 'utf8');
    }
  };
  walk('');
  return out;
}

const fromExamples = (name: string, schema: string): ExampleCase => ({
  name,
  schema,
  files: () => readCaseInputs(path.join(EXAMPLES, name)),
});

const CASES: ExampleCase[] = [
  {
    name: 'bundled',
    schema: 'prisma/schema.prisma',
    files: () => ({ 'prisma/schema.prisma': fs.readFileSync(path.join(REPO, 'prisma', 'schema.prisma'), 'utf8') }),
  },
  fromExamples('blog-minimal', 'schema.prisma'),
  fromExamples('multi-file', 'prisma/schema'),
  fromExamples('hostile-names', 'schema.prisma'),
  fromExamples('relation-mode-prisma', 'schema.prisma'),
];

// ------------------------------------------------------------------------------------------------
// Running

/** What one case produced: golden path (relative to expected/) → text. */
type Outputs = Map<string, string>;

interface CaseRun {
  outputs: Outputs;
  /** Why a determinism check failed, empty when all passed. */
  nondeterminism: string[];
  /** Files a second generate changed, per selection. */
  rewrittenBySecondGenerate: string[];
  /** Outputs in which the temp folder's path appeared (and was replaced by `<project>`). */
  absolutePaths: string[];
}

/** Replaces the temp folder's path (an output must not embed it; the test reports where it did). */
function normalize(text: string, dir: string, name: string, found: string[]): string {
  const real = fs.realpathSync(dir);
  if (!text.includes(dir) && !text.includes(real)) return text;
  found.push(name);
  return text.split(dir).join('<project>').split(real).join('<project>');
}

function commandOutputs(
  name: string,
  result: RunResult,
  dir: string,
  found: string[],
  withExit = false,
): [string, string][] {
  const stdout = normalize(result.stdout, dir, name, found);
  const out: [string, string][] = [[name, withExit ? `exit: ${result.code}\n${stdout}` : stdout]];
  if (result.stderr !== '') out.push([`${name}.stderr`, normalize(result.stderr, dir, `${name}.stderr`, found)]);
  return out;
}

/** Files created or changed between two snapshots, with their text. */
function changedFiles(dir: string, before: Map<string, string>, after: Map<string, string>): [string, string][] {
  return [...after]
    .filter(([file, bytes]) => before.get(file) !== bytes)
    .map(
      ([file]) => [file.split(path.sep).join('/'), fs.readFileSync(path.join(dir, file), 'utf8')] as [string, string],
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

async function runGenerate(
  example: ExampleCase,
  extra: string[],
  label: string,
  run: CaseRun,
): Promise<{ stdout: [string, string][]; tree: [string, string][] }> {
  const once = async () => {
    const project = tempProject(example.files());
    try {
      const before = snapshotTree(project.dir);
      const result = await runCli(
        ['generate', '--schema', example.schema, '--timestamp', TIMESTAMP, ...extra],
        project.dir,
      );
      if (result.code !== 0)
        throw new Error(`${example.name}: ${label} exited ${result.code}:\n${result.stderr}${result.stdout}`);
      const generated = snapshotTree(project.dir);
      const tree = changedFiles(project.dir, before, generated).map(
        ([file, text]) =>
          [`${label}/${file}`, normalize(text, project.dir, `${label}/${file}`, run.absolutePaths)] as [string, string],
      );
      const again = await runCli(
        ['generate', '--schema', example.schema, '--timestamp', LATER_TIMESTAMP, ...extra],
        project.dir,
      );
      const rewritten = changedFiles(project.dir, generated, snapshotTree(project.dir)).map(
        ([file]) => `${label}: ${file}`,
      );
      run.rewrittenBySecondGenerate.push(...rewritten);
      // What generate leaves behind must pass the pre-commit hook.
      const check = await runCli(['check', '--schema', example.schema], project.dir);
      return {
        stdout: [
          ...commandOutputs(`${label}.txt`, result, project.dir, run.absolutePaths),
          ...commandOutputs(`${label}-again.txt`, again, project.dir, run.absolutePaths, true),
          ...commandOutputs(`${label}-check.txt`, check, project.dir, run.absolutePaths, true),
        ],
        tree,
      };
    } finally {
      project.cleanup();
    }
  };
  const first = await once();
  const second = await once();
  if (JSON.stringify(first) !== JSON.stringify(second))
    run.nondeterminism.push(`${label}: two fresh copies gave different output or trees`);
  return first;
}

async function runCase(example: ExampleCase): Promise<CaseRun> {
  const run: CaseRun = { outputs: new Map(), nondeterminism: [], rewrittenBySecondGenerate: [], absolutePaths: [] };
  const add = (entries: [string, string][]) => entries.forEach(([name, text]) => run.outputs.set(name, text));

  const project = tempProject(example.files());
  try {
    const twice = async (argv: string[], name: string, withExit = false) => {
      const first = await runCli(argv, project.dir);
      const second = await runCli(argv, project.dir);
      if (JSON.stringify(first) !== JSON.stringify(second)) run.nondeterminism.push(`${name}: two runs differ`);
      add(commandOutputs(name, first, project.dir, run.absolutePaths, withExit));
      return first;
    };
    const before = snapshotTree(project.dir);
    for (const [format, file] of FORMATS) {
      const result = await twice(['plan', '--schema', example.schema, '--format', format], file);
      if (result.code !== 0)
        throw new Error(`${example.name}: plan --format ${format} exited ${result.code}:\n${result.stderr}`);
    }
    await twice(['check', '--schema', example.schema], 'check.txt', true);
    const after = snapshotTree(project.dir);
    if (changedFiles(project.dir, before, after).length > 0) run.nondeterminism.push('plan/check wrote files');
  } finally {
    project.cleanup();
  }

  for (const [extra, label] of [
    [[], 'generate'],
    [['--include-info', '--preview-features'], 'generate-all'],
  ] as const) {
    const { stdout, tree } = await runGenerate(example, [...extra], label, run);
    add(stdout);
    add(tree);
  }
  return run;
}

// ------------------------------------------------------------------------------------------------
// Goldens under examples/<case>/expected/

function expectedDir(name: string): string {
  return path.join(EXAMPLES, name, 'expected');
}

function listExpected(name: string): string[] {
  const root = expectedDir(name);
  const out: string[] = [];
  const walk = (rel: string) => {
    const full = path.join(root, rel);
    if (!fs.existsSync(full)) return;
    for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
}

function expectExampleGolden(name: string, file: string, actual: string): void {
  const target = path.join(expectedDir(name), file);
  const shown = `examples/${name}/expected/${file}`;
  if (updatingGoldens()) {
    if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== actual) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, actual, 'utf8');
    }
    return;
  }
  if (!fs.existsSync(target))
    throw new Error(
      `${shown} does not exist; review the output, then create it with UPDATE_GOLDEN=1 npx jest __tests__/examples.test.ts`,
    );
  const expected = fs.readFileSync(target, 'utf8');
  if (expected !== actual) {
    expect({ golden: shown, text: actual }).toEqual({
      golden: `${shown}: if the change is intended, UPDATE_GOLDEN=1 npx jest __tests__/examples.test.ts`,
      text: expected,
    });
  }
}

/** Removes expected/ files no output produced (update mode only), and empty folders left behind. */
function removeStale(name: string, stale: string[]): void {
  for (const file of stale) fs.rmSync(path.join(expectedDir(name), file));
  const prune = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) prune(path.join(dir, entry.name));
    if (dir !== expectedDir(name) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  };
  if (fs.existsSync(expectedDir(name))) prune(expectedDir(name));
}

// ------------------------------------------------------------------------------------------------

describe.each(CASES.map((c) => [c.name, c] as const))('example %s', (name, example) => {
  let run: CaseRun;

  beforeAll(async () => {
    run = await runCase(example);
  }, 300_000);

  it.each([
    ...FORMATS.map(([format, file]) => [`plan --format ${format}`, file] as const),
    ['check (with exit code)', 'check.txt'] as const,
  ])('%s matches its golden', (_label, file) => {
    for (const key of [file, `${file}.stderr`]) {
      if (run.outputs.has(key)) expectExampleGolden(name, key, run.outputs.get(key)!);
    }
  });

  it.each(['generate', 'generate-all'])('%s: stdout and the written tree match their goldens', (label) => {
    const keys = [...run.outputs.keys()].filter(
      (k) =>
        k.startsWith(`${label}/`) ||
        k.startsWith(`${label}.`) ||
        k.startsWith(`${label}-again.`) ||
        k.startsWith(`${label}-check.`),
    );
    expect(keys.some((k) => k.startsWith(`${label}/`))).toBe(true);
    for (const key of keys) expectExampleGolden(name, key, run.outputs.get(key)!);
  });

  it('expected/ holds exactly the outputs (no stale or missing files)', () => {
    const actual = [...run.outputs.keys()].sort();
    const onDisk = listExpected(name);
    const stale = onDisk.filter((f) => !run.outputs.has(f));
    if (updatingGoldens()) {
      removeStale(name, stale);
      return;
    }
    expect(onDisk).toEqual(actual);
  });

  it('plan --format json and sarif are valid JSON, and check passes on what generate wrote', () => {
    expect(() => JSON.parse(run.outputs.get('plan.json')!)).not.toThrow();
    expect(JSON.parse(run.outputs.get('plan.sarif')!)).toMatchObject({ version: '2.1.0' });
    expect(
      [run.outputs.get('generate-check.txt'), run.outputs.get('generate-all-check.txt')].map((t) => t?.split('\n')[0]),
    ).toEqual(['exit: 0', 'exit: 0']);
  });

  it('is deterministic: byte-identical reruns, and a second generate writes nothing', () => {
    expect(run.nondeterminism).toEqual([]);
    expect(run.rewrittenBySecondGenerate).toEqual([]);
  });

  it('outputs do not embed the temp folder path', () => {
    expect(run.absolutePaths).toEqual([]);
  });

  it('outputs use LF endings, end with a newline and carry no colour codes', () => {
    const bad = [...run.outputs]
      .filter(([, text]) => text.includes('\r') || (text !== '' && !text.endsWith('\n')) || text.includes('\u001b['))
      .map(([file]) => file);
    expect(bad).toEqual([]);
  });
});
