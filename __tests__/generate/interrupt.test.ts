/**
 * Crash-safe commit, proven on the real binary (`node bin/idxgen.js generate`, needs
 * `npm run build`): the test-only hook IDXGEN_TEST_PAUSE_AT stops the writer before a named step,
 * then the test sends a signal.
 *   - SIGINT / SIGTERM: the run rolls back and exits 130 / 143; the tree is as it was.
 *   - SIGKILL (cannot be handled): leftovers stay; the next `generate` reports each with one line,
 *     completes or rolls back the killed commit, and ends with exactly the tree a clean run writes.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLED_SCHEMA, REPO } from '../support/generate';

const BIN = path.join(REPO, 'bin', 'idxgen.js');
const ARGS = ['generate', '--timestamp', '20260101000000', '--include-info', '--preview-features'];

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function newProject(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-kill-'));
  roots.push(root);
  fs.mkdirSync(path.join(root, 'prisma'));
  fs.writeFileSync(path.join(root, 'prisma', 'schema.prisma'), BUNDLED_SCHEMA);
  return root;
}

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      const key = path.relative(root, full);
      if (e.isDirectory()) {
        out[`${key}/`] = '';
        walk(full);
      } else out[key] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(root);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary; with `pauseAt`, sends `signal` once it says it paused there. */
function run(cwd: string, opts: { pauseAt?: string; signal?: NodeJS.Signals } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: '1', ...(opts.pauseAt ? { IDXGEN_TEST_PAUSE_AT: opts.pauseAt } : {}) };
    const child = spawn(process.execPath, [BIN, ...ARGS], { cwd, env });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (opts.signal && !sent && stderr.includes('idxgen-test: paused before')) {
        sent = true;
        child.kill(opts.signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

let clean: Record<string, string>;
let untouched: Record<string, string>;
beforeAll(async () => {
  const root = newProject();
  untouched = tree(root);
  const r = await run(root);
  expect(r.code).toBe(0);
  clean = tree(root);
  expect(Object.keys(clean).filter((k) => k.endsWith('migration.sql')).length).toBeGreaterThan(5);
}, 60_000);

const POINTS = [
  'write:3',
  'journal:1',
  'commit-folder:1',
  'commit-folder:4',
  'commit-file:1',
  'commit-schema:1',
  'cleanup:1',
];

describe.each(POINTS)('paused before %s', (point) => {
  test('SIGINT: rolled back, exit 130, the tree is as it was', async () => {
    const root = newProject();
    const r = await run(root, { pauseAt: point, signal: 'SIGINT' });
    expect(r.stderr).toContain(`idxgen-test: paused before ${point.replace(':', ' #')}`);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(
      /^idxgen: interrupted by SIGINT: rolled back, nothing written \(no migration folder added, prisma\/schema\.prisma unchanged\)$/m,
    );
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stdout).toBe('');
    expect(tree(root)).toEqual(untouched);
  }, 60_000);

  test('SIGKILL: the next run reports the leftovers, one line each, and ends like a clean run', async () => {
    const root = newProject();
    const killed = await run(root, { pauseAt: point, signal: 'SIGKILL' });
    expect(killed.signal).toBe('SIGKILL');
    // A staging folder (with its journal from journal:1 on) and, from journal:1 on, the schema's temp file.
    const names = fs.readdirSync(path.join(root, 'prisma'));
    expect(names.filter((n) => n.startsWith('.idxgen-staging-'))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('schema.prisma.idxgen-tmp-'))).toHaveLength(
      point === 'write:3' || point === 'cleanup:1' ? 0 : 1,
    );

    const again = await run(root);
    expect(again.code).toBe(0);
    const notes = again.stderr.split('\n').filter((l) => l.startsWith('idxgen: '));
    // One line for the killed commit; before its journal existed, its temp file gets its own.
    expect(notes).toHaveLength(point === 'journal:1' ? 2 : 1);
    for (const line of notes)
      expect(line).toMatch(
        /^idxgen: (removed|rolled back|completed) .*(an interrupted generate|interrupted generate) \(pid \d+\)|^idxgen: removed .* left by an interrupted generate \(pid \d+\) before it committed anything$/,
      );
    expect(tree(root)).toEqual(clean);

    // Recovered once: a third run finds nothing to clean and nothing to generate.
    const third = await run(root);
    expect(third.code).toBe(0);
    expect(third.stderr).toBe('');
    expect(third.stdout).toMatch(/^nothing to generate/);
    expect(tree(root)).toEqual(clean);
  }, 60_000);
});

test('SIGTERM: rolled back, exit 143', async () => {
  const root = newProject();
  const r = await run(root, { pauseAt: 'commit-folder:4', signal: 'SIGTERM' });
  expect(r.code).toBe(143);
  expect(r.stderr).toContain('idxgen: interrupted by SIGTERM: rolled back, nothing written');
  expect(tree(root)).toEqual(untouched);
}, 60_000);

test('what each SIGKILL point leaves, and which way recovery goes', async () => {
  const expectations: [string, RegExp][] = [
    [
      'write:3',
      /^idxgen: removed prisma\/\.idxgen-staging-\d+-\w+, left by an interrupted generate \(pid \d+\) before it committed anything$/,
    ],
    [
      'commit-folder:4',
      /^idxgen: rolled back an interrupted generate \(pid \d+\): removed 3 migration folders it had moved in \(prisma\/migrations\/\S+, prisma\/migrations\/\S+, prisma\/migrations\/\S+\)$/,
    ],
    [
      'commit-schema:1',
      /^idxgen: rolled back an interrupted generate \(pid \d+\): removed \d+ migration folders it had moved in \(prisma\/migrations\/\S+, prisma\/migrations\/\S+ and \d+ more\)$/,
    ],
    ['cleanup:1', /^idxgen: completed an interrupted generate \(pid \d+\): its schema edit was written$/],
  ];
  for (const [point, line] of expectations) {
    const root = newProject();
    await run(root, { pauseAt: point, signal: 'SIGKILL' });
    const again = await run(root);
    expect(
      again.stderr
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('idxgen: rolled back') ||
            l.startsWith('idxgen: completed') ||
            l.startsWith('idxgen: removed prisma/.idxgen-staging'),
        ),
    ).toEqual([expect.stringMatching(line)]);
  }
}, 120_000);
