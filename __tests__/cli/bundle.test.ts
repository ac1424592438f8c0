/**
 * The binary runs the CLI from one bundled file (dist/cli.bundle.js, scripts/bundle-cli.js): the
 * package's own code loads as that one module (plus the precompiled templates), never as dist/'s
 * separate files, and what it prints is what the same code prints from src/. Observed on the
 * real binary: a preloaded script lists every module the process loaded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { EXAMPLE_SCHEMA, REPO, runCli } from '../support/cli';

const BIN = path.join(REPO, 'bin', 'idxgen.js');
const RECORDER = path.join(REPO, '__tests__', 'fixtures', 'bundle', 'record-modules.js');

function runRecorded(argv: string[]): { status: number | null; stdout: string; own: string[] } {
  const r = spawnSync(process.execPath, ['-r', RECORDER, BIN, ...argv], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1' },
  });
  if (r.error) throw r.error;
  const modules = r.stderr
    .split('\n')
    .filter((line) => line.startsWith('module: '))
    .map((line) => line.slice('module: '.length));
  // The package's own files: everything under the checkout but its dependencies and this test's recorder.
  const own = modules
    .filter(
      (file) =>
        file.startsWith(REPO + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`) && file !== RECORDER,
    )
    .map((file) => path.relative(REPO, file).split(path.sep).join('/'))
    .sort();
  return { status: r.status, stdout: r.stdout, own };
}

describe('the bundled CLI', () => {
  test.each([['check'], ['plan']])('%s loads idxgen as one bundle, not as dist/ files', (command) => {
    const r = runRecorded([command, '--schema', EXAMPLE_SCHEMA]);
    expect(r.status === 0 || r.status === 1).toBe(true);
    expect(r.own).toEqual(['bin/idxgen.js', 'dist/cli.bundle.js', 'dist/templates.compiled.js']);
  });

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
