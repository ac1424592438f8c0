/**
 * The V8 flags bin/idxgen.js sets before loading anything (BENCHMARKS.md, "Speed attempts"):
 * Liftoff only for Prisma's WASM validator, always; no TurboFan (`--no-opt`) for the short commands,
 * where optimized code never repays its compile time, and no incremental marking (its one full
 * collection frees nothing a short run needs), but not for verify, deploy and progress,
 * which run for seconds to minutes. Observed on the real binary: a preloaded script records every
 * `v8.setFlagsFromString` call.
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO } from '../support/cli';

const BIN = path.join(REPO, 'bin', 'idxgen.js');
const RECORDER = path.join(REPO, '__tests__', 'fixtures', 'v8-flags', 'record-flags.js');

function flagsSet(argv: string[]): { flags: string[]; status: number | null } {
  const r = spawnSync(process.execPath, ['-r', RECORDER, BIN, ...argv], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  const flags = r.stderr
    .split('\n')
    .filter((line) => line.startsWith('v8-flag: '))
    .map((line) => line.slice('v8-flag: '.length));
  return { flags, status: r.status };
}

const SHORT = ['--liftoff-only', '--no-opt', '--no-incremental-marking'];

describe('V8 flags of the bin', () => {
  test.each([['check'], ['plan'], ['generate']])(
    '%s runs without TurboFan or incremental marking, WASM on Liftoff only',
    (command) => {
      expect(flagsSet([command, '--help'])).toEqual({ flags: SHORT, status: 0 });
    },
  );

  test.each([['verify'], ['deploy'], ['progress']])(
    '%s keeps TurboFan (it runs long enough to repay it)',
    (command) => {
      expect(flagsSet([command, '--help'])).toEqual({ flags: ['--liftoff-only'], status: 0 });
    },
  );

  test('a usage error still exits 2 with the flags set', () => {
    expect(flagsSet(['check', '--nonsense'])).toEqual({ flags: SHORT, status: 2 });
  });
});
