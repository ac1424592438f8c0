/**
 * The binary runs the CLI from one bundled file (dist/cli.bundle.js, scripts/bundle-cli.js, the
 * precompiled templates inside): the package's own code loads as that one file (compiled from V8's
 * code cache for check and plan: src/cli/code-cache.ts; its small modules and the validator worker's
 * prestart and V8 flags load first), never as dist/'s separate files, and what it prints is what the same code
 * prints from src/. Observed on the real binary: a preloaded script lists every module and every
 * `vm.Script` the process loaded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { EXAMPLE_SCHEMA, NODE_COMPILE_CACHE, REPO, runCli } from '../support/cli';

const BIN = path.join(REPO, 'bin', 'idxgen.js');
const RECORDER = path.join(REPO, '__tests__', 'fixtures', 'bundle', 'record-modules.js');

function runRecorded(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; own: string[]; scripts: string[]; workers: number } {
  const r = spawnSync(process.execPath, ['-r', RECORDER, BIN, ...argv], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1', ...env },
  });
  if (r.error) throw r.error;
  const lines = (prefix: string) =>
    r.stderr
      .split('\n')
      .filter((line) => line.startsWith(prefix))
      .map((line) => line.slice(prefix.length));
  const modules = lines('module: ');
  // The package's own files: everything under the checkout but its dependencies and this test's recorder.
  const own = modules
    .filter(
      (file) =>
        file.startsWith(REPO + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`) && file !== RECORDER,
    )
    .map(relative)
    .sort();
  return {
    status: r.status,
    stdout: r.stdout,
    own,
    scripts: lines('script: ').map(relative),
    workers: Number(lines('workers: ')[0]),
  };
}

const relative = (file: string) => path.relative(REPO, file).split(path.sep).join('/');
/** Loaded by bin/idxgen.js before the bundle, as one file: the code cache, the V8 flags, and what starts the validator worker early. */
const LOADER = ['dist/cli/boot.js'];

describe('the bundled CLI', () => {
  test.each([['check'], ['plan']])('%s loads idxgen as one bundle, not as dist/ files', (command) => {
    const r = runRecorded([command, '--schema', EXAMPLE_SCHEMA]);
    expect(r.status === 0 || r.status === 1).toBe(true);
    if (NODE_COMPILE_CACHE) {
      // Node's own compile cache serves a plain require of the bundle (src/cli/code-cache.ts).
      expect(r.own).toEqual(['bin/idxgen.js', 'dist/cli.bundle.js', ...LOADER]);
      expect(r.scripts).toEqual([]);
    } else {
      expect(r.own).toEqual(['bin/idxgen.js', ...LOADER]);
      expect(r.scripts).toEqual(['dist/cli.bundle.js']);
    }
  });

  test.each([
    ['check, IDXGEN_CODE_CACHE=0', ['check', '--schema', EXAMPLE_SCHEMA], { IDXGEN_CODE_CACHE: '0' }],
    ['generate --dry-run', ['generate', '--schema', EXAMPLE_SCHEMA, '--dry-run'], {}],
  ])('%s loads the bundle as a plain module', (_name, argv, env) => {
    const r = runRecorded(argv, env);
    expect(r.status === 0 || r.status === 1).toBe(true);
    expect(r.own).toEqual(['bin/idxgen.js', 'dist/cli.bundle.js', ...LOADER]);
    expect(r.scripts).toEqual([]);
  });

  test.each([['check'], ['plan']])(
    '%s validates on the one worker the bin started before the bundle loaded',
    (command) => {
      // The bundle takes the validator worker's module from dist/cli/boot.js: with a module of its own,
      // main() would find no worker started and start a second one.
      const r = runRecorded([command, '--schema', EXAMPLE_SCHEMA], { IDXGEN_VALIDATOR_WORKER: '1' });
      expect(r.status === 0 || r.status === 1).toBe(true);
      expect(r.workers).toBe(1);
    },
  );

  test('plan prints what the same code prints from src/ (tool version included)', async () => {
    const argv = ['plan', '--schema', EXAMPLE_SCHEMA, '--format', 'json'];
    const bin = runRecorded(argv);
    const inProcess = await runCli(argv, REPO, { IDXGEN_NO_CACHE: '1' });
    expect(bin.status).toBe(inProcess.code);
    expect(bin.stdout).toBe(inProcess.stdout);
    const version = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string })
      .version;
    expect(JSON.parse(bin.stdout)).toMatchObject({ tool: { name: 'idxgen', version } });
  });

  test('--version reads package.json from the bundle', () => {
    const r = runRecorded(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(
      (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });
});
