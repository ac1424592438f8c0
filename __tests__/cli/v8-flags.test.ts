/**
 * The V8 flags bin/idxgen.js sets (src/cli/v8-flags.ts; BENCHMARKS.md, "Speed attempts"): Liftoff
 * only for Prisma's WASM validator, always; no TurboFan (`--no-opt`) for the short commands, where
 * optimized code never repays its compile time, no incremental marking (its one full collection
 * frees nothing a short run needs) and a young generation that does not grow (its fresh pages cost
 * more than the scavenges they save), but not for verify, deploy and progress, which run for seconds
 * to minutes. All of them only once the CLI bundle is compiled, from V8's code cache or not: a cache
 * made under other flags is refused. Observed on the real binary: a preloaded script records every
 * `v8.setFlagsFromString` call, and when the bundle is compiled.
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DEFAULTS, flagName } from '../../src/cli/v8-flags';
import { EXAMPLE_SCHEMA, NODE_COMPILE_CACHE, REPO } from '../support/cli';

const BIN = path.join(REPO, 'bin', 'idxgen.js');
const RECORDER = path.join(REPO, '__tests__', 'fixtures', 'v8-flags', 'record-flags.js');

/** The flags the run set, in order, each after the bundle was compiled; `codeCache` '0' turns V8's code cache off. */
function flagsSet(argv: string[], codeCache: '0' | '1' = '0'): { flags: string[]; status: number | null } {
  const r = spawnSync(process.execPath, ['-r', RECORDER, BIN, ...argv], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
    // The code cache off: a run that stores an entry also undoes the flags for a moment (code-cache.ts).
    env: { ...process.env, IDXGEN_CODE_CACHE: codeCache, IDXGEN_NO_CACHE: '1' },
  });
  if (r.error) throw r.error;
  const events = r.stderr.split('\n').filter((line) => line.startsWith('v8-flag: ') || line === 'bundle compiled');
  expect(events[0]).toBe('bundle compiled');
  expect(events.filter((line) => line === 'bundle compiled')).toHaveLength(1);
  const flags = events.slice(1).map((line) => line.slice('v8-flag: '.length));
  return { flags, status: r.status };
}

const WASM = ['--no-wasm-tier-up', '--no-wasm-dynamic-tiering'];
const SHORT = [...WASM, '--no-opt', '--no-maglev', '--no-incremental-marking', '--semi-space-growth-factor=1'];

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
      expect(flagsSet([command, '--help'])).toEqual({ flags: WASM, status: 0 });
    },
  );

  test('check through the code cache: the bundle compiles first, then the flags', () => {
    const check = ['check', '--schema', EXAMPLE_SCHEMA];
    flagsSet(check, '1');
    // The second run compiles from the entry the first stored; when it stores none, it sets the flags once.
    const second = flagsSet(check, '1');
    expect(second.flags.slice(0, SHORT.length)).toEqual(SHORT);
    expect(second.status).toBe(1);
  });

  // Only Node < 22.1 undoes the flags (for its code cache entry: src/cli/code-cache.ts).
  (NODE_COMPILE_CACHE ? test.skip : test)(
    'each flag negating cannot undo is undone to V8’s own default (else the code cache made under "the defaults" is refused)',
    () => {
      const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
      const fixed = SHORT.filter((flag) => DEFAULTS[flagName(flag)] !== undefined);
      expect(fixed.length).toBeGreaterThan(0);
      expect(SHORT.filter((flag) => flag.includes('=')).every((flag) => fixed.includes(flag))).toBe(true);
      for (const flag of fixed) expect(options).toContain(`default: ${DEFAULTS[flagName(flag)]}\n`);
    },
  );

  test('a usage error still exits 2 with the flags set', () => {
    expect(flagsSet(['check', '--nonsense'])).toEqual({ flags: SHORT, status: 2 });
  });
});
