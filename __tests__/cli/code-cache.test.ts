/**
 * V8's code cache for the CLI bundle (src/cli/code-cache.ts), through the real binary: the first
 * `check` stores one entry, the next run compiles from it (V8 accepts it) and prints the same bytes
 * with the same exit code; a damaged or truncated entry, a read-only cache folder or
 * IDXGEN_CODE_CACHE=0 never change what a run prints. A preloaded script reports what V8 did with
 * the bundle's cached data. On Node >= 22.1 the bin leaves caching to Node's own compile cache
 * instead: the last block tests that way, on the Node that takes it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EXAMPLE_SCHEMA, NODE_COMPILE_CACHE, REPO } from '../support/cli';

const BIN = path.join(REPO, 'bin', 'idxgen.js');
const RECORDER = path.join(REPO, '__tests__', 'fixtures', 'code-cache', 'record-cached-data.js');

let project: string;
let cacheFolder: string;

beforeEach(() => {
  // A project of its own: its node_modules/.cache/idxgen holds the entries.
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-code-cache-'));
  fs.mkdirSync(path.join(project, 'node_modules'));
  cacheFolder = path.join(project, 'node_modules', '.cache', 'idxgen');
});

afterEach(() => {
  fs.chmodSync(project, 0o700);
  if (fs.existsSync(cacheFolder)) fs.chmodSync(cacheFolder, 0o700);
  fs.rmSync(project, { recursive: true, force: true });
});

function run(argv: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; v8: string } {
  const r = spawnSync(process.execPath, ['-r', RECORDER, BIN, ...argv], {
    cwd: project,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1', ...env },
  });
  if (r.error) throw r.error;
  const v8 = r.stderr
    .split('\n')
    .filter((line) => line.startsWith('bundle cached data: '))
    .map((line) => line.slice('bundle cached data: '.length))
    .join(',');
  return { status: r.status, stdout: r.stdout, v8 };
}

const entries = (command: string) =>
  fs.existsSync(cacheFolder) ? fs.readdirSync(cacheFolder).filter((f) => f.startsWith(`v8-code-${command}-`)) : [];

const CHECK = ['check', '--schema', EXAMPLE_SCHEMA];

(NODE_COMPILE_CACHE ? describe.skip : describe)('the code cache of the CLI bundle', () => {
  test('the first check stores an entry, the second compiles from it and prints the same', () => {
    const first = run(CHECK);
    expect(first.status).toBe(1);
    expect(first.v8).toBe('none');
    expect(entries('check')).toHaveLength(1);
    const second = run(CHECK);
    expect(second.v8).toBe('accepted');
    expect(second.status).toBe(first.status);
    expect(second.stdout).toBe(first.stdout);
    // plan keeps an entry of its own (its code differs from check's).
    expect(run(['plan', '--schema', EXAMPLE_SCHEMA]).v8).toBe('none');
    expect(entries('plan')).toHaveLength(1);
    expect(entries('check')).toHaveLength(1);
    // So does each report format: a text run does not read an entry made by a JSON run, or the reverse.
    expect(run([...CHECK, '--format', 'json']).v8).toBe('none');
    expect(entries('check')).toHaveLength(2);
    expect(run([...CHECK, '--format=json']).v8).toBe('accepted');
    expect(run(CHECK).v8).toBe('accepted');
    expect(entries('check')).toHaveLength(2);
  });

  test('with the validator on a worker thread: the entry is made under V8’s defaults, so the next run takes it', () => {
    // The bin sets its V8 flags after the bundle is compiled (src/cli/v8-flags.ts) and undoes them while
    // the entry is made; an entry made under them would be refused every time.
    const worker = { IDXGEN_VALIDATOR_WORKER: '1' };
    const first = run(CHECK, worker);
    expect(first.v8).toBe('none');
    const second = run(CHECK, worker);
    expect(second.v8).toBe('accepted');
    expect(second.status).toBe(first.status);
    expect(second.stdout).toBe(first.stdout);
    expect(run(CHECK, { IDXGEN_VALIDATOR_WORKER: '0' }).v8).toBe('accepted');
  });

  test.each([
    [
      'one flipped byte',
      (bytes: Buffer) =>
        Buffer.concat([bytes.subarray(0, 1000), Buffer.from([bytes[1000]! ^ 0xff]), bytes.subarray(1001)]),
    ],
    ['a truncated entry', (bytes: Buffer) => bytes.subarray(0, bytes.length >> 1)],
    ['an empty entry', () => Buffer.alloc(0)],
  ])('%s is never given to V8; the run stores a sound one again', (_name, damage) => {
    const first = run(CHECK);
    const [name] = entries('check');
    const file = path.join(cacheFolder, name!);
    const sound = fs.readFileSync(file);
    fs.writeFileSync(file, damage(sound));
    const damaged = run(CHECK);
    expect(damaged.v8).toBe('none');
    expect(damaged.status).toBe(first.status);
    expect(damaged.stdout).toBe(first.stdout);
    expect(run(CHECK).v8).toBe('accepted');
  });

  test('an entry V8 refuses (its digest is sound, its data is not V8 code) is rejected and replaced', () => {
    const first = run(CHECK);
    const [name] = entries('check');
    const data = Buffer.alloc(4096, 7);
    const digest = createHash('sha256').update(data).digest();
    fs.writeFileSync(path.join(cacheFolder, name!), Buffer.concat([digest, data]));
    const refused = run(CHECK);
    expect(refused.v8).toBe('rejected');
    expect(refused.status).toBe(first.status);
    expect(refused.stdout).toBe(first.stdout);
    expect(run(CHECK).v8).toBe('accepted');
  });

  test('an entry for another bundle or Node is a different key: never read, replaced when the run stores its own', () => {
    run(CHECK);
    const [name] = entries('check');
    const stale = path.join(cacheFolder, 'v8-code-check-0000000000000000000000000000000000000000');
    fs.renameSync(path.join(cacheFolder, name!), stale);
    expect(run(CHECK).v8).toBe('none');
    expect(entries('check')).toEqual([name]);
  });

  test('a read-only cache folder costs nothing but the cache', () => {
    const first = run(CHECK, { IDXGEN_CODE_CACHE: '0' });
    fs.mkdirSync(cacheFolder, { recursive: true, mode: 0o700 });
    fs.chmodSync(cacheFolder, 0o500);
    const r = run(CHECK);
    expect(r.status).toBe(first.status);
    expect(r.stdout).toBe(first.stdout);
    // root writes anyway; anyone else gets no entry.
    if (process.getuid?.() !== 0) expect(entries('check')).toEqual([]);
  });

  test('IDXGEN_CODE_CACHE=0 neither reads nor writes an entry', () => {
    const r = run(CHECK, { IDXGEN_CODE_CACHE: '0' });
    expect(r.status).toBe(1);
    expect(r.v8).toBe('');
    expect(entries('check')).toEqual([]);
  });

  test('a folder other users can write to is not used', () => {
    fs.mkdirSync(cacheFolder, { recursive: true });
    fs.chmodSync(cacheFolder, 0o777);
    const r = run(CHECK);
    expect(r.status).toBe(1);
    expect(r.v8).toBe('none');
    expect(entries('check')).toEqual([]);
  });

  test('bad input (exit 2) stores nothing: only a whole command run is worth keeping', () => {
    const schema = path.join(project, 'broken.prisma');
    fs.writeFileSync(schema, 'model {\n');
    const r = run(['check', '--schema', schema]);
    expect(r.status).toBe(2);
    expect(entries('check')).toEqual([]);
  });
});

(NODE_COMPILE_CACHE ? describe : describe.skip)('Node’s own compile cache (Node >= 22.1)', () => {
  const nodeCache = () => path.join(cacheFolder, 'node-compile-cache');
  const files = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir, { recursive: true, encoding: 'utf8' })
          .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      : [];

  test('the first check fills it in the private cache folder, the next prints the same; no entry of idxgen’s own', () => {
    const first = run(CHECK);
    expect(first.status).toBe(1);
    expect(files(nodeCache()).length).toBeGreaterThan(0);
    const second = run(CHECK);
    expect(second.status).toBe(first.status);
    expect(second.stdout).toBe(first.stdout);
    expect(run(CHECK, { IDXGEN_VALIDATOR_WORKER: '1' }).stdout).toBe(first.stdout);
    expect(entries('check')).toEqual([]);
  });

  test('IDXGEN_CODE_CACHE=0, or a folder other users can write to, leaves it unused', () => {
    expect(run(CHECK, { IDXGEN_CODE_CACHE: '0' }).status).toBe(1);
    expect(fs.existsSync(nodeCache())).toBe(false);
    fs.mkdirSync(cacheFolder, { recursive: true });
    fs.chmodSync(cacheFolder, 0o777);
    expect(run(CHECK).status).toBe(1);
    expect(fs.existsSync(nodeCache())).toBe(false);
  });
});
