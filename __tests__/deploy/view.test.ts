import { PassThrough } from 'node:stream';
import { eventView, scrubber } from '../../src/cli/commands/deploy-view';
import type { CliIO } from '../../src/cli/io';
import type { BuildProgress } from '../../src/deploy/types';

const build = (percent: number): BuildProgress => ({
  pid: 7,
  table: 'item',
  index: 'item_v_idx',
  command: 'CREATE INDEX CONCURRENTLY',
  phase: 'building index: scanning table',
  blocksDone: percent,
  blocksTotal: 100,
  tuplesDone: 0,
  tuplesTotal: 0,
  lockersDone: 0,
  lockersTotal: 0,
  currentLockerPid: null,
  percent,
  blockedBy: [],
  runningSeconds: 1,
  waitEvent: null,
});

function io(isTTY: boolean, out: string[]): CliIO {
  return { cwd: '/', stdout: (t) => out.push(t), stderr: () => undefined, env: {}, isTTY, now: () => new Date(0) };
}

test('on a terminal a build is a cli-progress bar, other events print above it, no colour codes', () => {
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    columns: 120,
    rows: 40,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  let written = '';
  stream.on('data', (d: Buffer) => (written += d.toString()));
  const lines: string[] = [];
  const view = eventView(io(true, lines), 'text', (t) => t, stream as unknown as NodeJS.WritableStream);
  view.emit({ event: 'folder-start', folder: 'a', attempt: 1, lockTimeoutMs: 300 });
  expect(written).toContain('a: applying under lock_timeout 300 ms\n'); // shown at once, no bar yet
  view.emit({ event: 'progress', folder: 'f', build: build(40) });
  view.emit({ event: 'folder-start', folder: 'g', attempt: 1, lockTimeoutMs: null });
  view.close();
  expect(written).toContain('item_v_idx on item |');
  expect(written).toMatch(/40% building index: scanning table/);
  expect(written).toContain('g: applying\n');
  expect(lines).toEqual([]); // nothing went around the bar
  expect(written).not.toMatch(/\x1b\[[0-9;]*m/); // no SGR (colour) sequences
});

test('off a terminal every event is one text line; JSON is one object per line; the password is scrubbed', () => {
  const lines: string[] = [];
  eventView(io(false, lines), 'text', scrubber('pw'), undefined).emit({
    event: 'progress',
    folder: null,
    build: build(40),
  });
  expect(lines).toEqual([
    'pid 7 item_v_idx on item: building index: scanning table 40.0% (blocks 40/100, tuples 0/0, lockers 0/0, 1 s)\n',
  ]);
  const json: string[] = [];
  eventView(io(true, json), 'json', scrubber('s3cret'), undefined).emit({
    event: 'summary',
    outcome: 'failed',
    folders: [],
    state: 'x s3cret y',
    next: null,
  });
  expect(json).toEqual(['{"event":"summary","outcome":"failed","folders":[],"state":"x *** y","next":null}\n']);
});
