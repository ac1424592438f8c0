import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseRecordedShapes } from '../../src/workload/parse-recorded';

const REPO = path.join(__dirname, '..', '..');

describe('reading recorded query shapes', () => {
  test('equal shapes on several lines add up, call sites merge', () => {
    const line = (count: number, site: string) =>
      JSON.stringify({
        v: 1,
        model: 'Post',
        operation: 'findMany',
        where: { field: 'authorId', op: 'equals' },
        count,
        callSites: [site],
      });
    const { shapes, problems } = parseRecordedShapes(`${line(2, 'a.ts:1')}\n\n${line(3, 'b.ts:2')}\n`, 'q.jsonl');
    expect(problems).toEqual([]);
    expect(shapes).toEqual([
      {
        v: 1,
        model: 'Post',
        operation: 'findMany',
        where: { field: 'authorId', op: 'equals' },
        count: 5,
        callSites: ['a.ts:1', 'b.ts:2'],
      },
    ]);
  });

  test.each([
    ['not JSON', '{nope', 'not a JSON object (a query-shape line from recordQueryShapes)'],
    [
      'another version',
      '{"v":2,"model":"Post","operation":"findMany","count":1}',
      'not a recorded query shape: "v" must be 1',
    ],
    [
      'a bad count',
      '{"v":1,"model":"Post","operation":"findMany","count":0}',
      'not a recorded query shape: "count" must be a positive integer',
    ],
    [
      'an unknown operator',
      '{"v":1,"model":"Post","operation":"findMany","count":1,"where":{"field":"a","op":"regex"}}',
      'not a recorded query shape: unknown operator "regex"',
    ],
  ])('%s is a problem at file:line:1', (_name, bad, message) => {
    const { problems } = parseRecordedShapes(
      `{"v":1,"model":"Post","operation":"count","count":1}\n${bad}\n`,
      'q.jsonl',
    );
    expect(problems).toEqual([{ file: 'q.jsonl', line: 2, column: 1, message: expect.stringContaining(message) }]);
  });

  test('through the binary: a bad line is exit 2 with file:line:col, and a folder is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-queries-'));
    try {
      fs.writeFileSync(path.join(dir, 'q.jsonl'), '{"v":1,"model":"Post","operation":"count","count":1}\n{nope\n');
      const bin = path.join(REPO, 'bin', 'idxgen.js');
      const schema = path.join(REPO, 'prisma', 'schema.prisma');
      const bad = spawnSync(process.execPath, [bin, 'plan', '--schema', schema, '--queries', 'q.jsonl'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toBe('q.jsonl:2:1: not a JSON object (a query-shape line from recordQueryShapes)\n');
      expect(bad.stdout).toBe('');
      const folder = spawnSync(process.execPath, [bin, 'check', '--schema', schema, '--queries', '.'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(folder.status).toBe(2);
      expect(folder.stderr).toMatch(/^\.: not a regular file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
