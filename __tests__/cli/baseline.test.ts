/**
 * `idxgen check --baseline [FILE]` / `--update-baseline` through the real binary (exit codes 0, 1, 2):
 * records today's findings when the file is missing, then fails only on new ones, reports entries
 * that no longer match, and survives edits that move lines (fingerprints hold no line numbers).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareWithBaseline, parseBaseline, renderBaseline } from '../../src/report/baseline';
import { fingerprint } from '../../src/report/fingerprint';
import { runBin, tempProject } from '../support/cli';

const HEAD = 'datasource db {\n  provider = "postgresql"\n}\n';
const USER = 'model User {\n  id    Int    @id\n  posts Post[]\n  tags  Tag[]\n}\n';
const POST =
  'model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n';
const TAG =
  'model Tag {\n  id     Int  @id\n  userId Int\n  user   User @relation(fields: [userId], references: [id])\n}\n';

describe('check --baseline (real binary)', () => {
  let project: ReturnType<typeof tempProject>;
  const write = (text: string) => fs.writeFileSync(path.join(project.dir, 'prisma', 'schema.prisma'), text);
  const baselineFile = () => path.join(project.dir, '.idxgen-baseline.json');
  beforeEach(() => {
    project = tempProject({ 'prisma/schema.prisma': HEAD + USER + POST + TAG });
  });
  afterEach(() => project.cleanup());

  it('records, then fails only on new findings, then reports what was fixed; --update-baseline shrinks the file', () => {
    expect(runBin(['check'], project.dir).code).toBe(1);

    const recorded = runBin(['check', '--baseline'], project.dir);
    expect([recorded.code, recorded.stdout]).toEqual([0, '']);
    expect(recorded.stderr).toBe(
      'idxgen: recorded 2 findings in .idxgen-baseline.json; `idxgen check --baseline .idxgen-baseline.json` now fails only on new ones.\n',
    );
    const parsed = parseBaseline(fs.readFileSync(baselineFile(), 'utf8'));
    expect('baseline' in parsed && parsed.baseline.entries.map((e) => e.fingerprint)).toEqual([
      'fk-index Post (authorId)',
      'fk-index Tag (userId)',
    ]);

    // Same findings, lines moved (a comment and a model above): still known.
    write(`${HEAD}// moved\nmodel Unrelated {\n  id Int @id\n}\n${USER}${POST}${TAG}`);
    const same = runBin(['check', '--baseline'], project.dir);
    expect([same.code, same.stdout, same.stderr]).toEqual([
      0,
      '',
      'idxgen: 2 findings recorded in .idxgen-baseline.json not shown.\n',
    ]);

    // A new FK without an index fails; only it is shown.
    write(
      `${HEAD}${USER.replace('  tags  Tag[]\n', '  tags  Tag[]\n  notes Note[]\n')}${POST}${TAG}model Note {\n  id     Int  @id\n  userId Int\n  user   User @relation(fields: [userId], references: [id])\n}\n`,
    );
    const fresh = runBin(['check', '--baseline', '.idxgen-baseline.json'], project.dir);
    expect(fresh.code).toBe(1);
    expect(fresh.stdout).toContain('error fk-index: Foreign key "Note" ("userId") → "User" has no index');
    expect(fresh.stdout).not.toContain('"Post"');

    // Fix one recorded finding: reported as stale (the file should shrink), not a failure.
    write(`${HEAD}${USER}${POST.replace('\n}\n', '\n\n  @@index([authorId])\n}\n')}${TAG}`);
    const fixed = runBin(['check', '--baseline'], project.dir);
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toBe(
      'idxgen: 1 finding recorded in .idxgen-baseline.json not shown.\n' +
        'idxgen: 1 entry of .idxgen-baseline.json no longer matches a finding (fixed): remove it with `idxgen check --baseline .idxgen-baseline.json --update-baseline`:\n' +
        '  fk-index Post (authorId)\n',
    );
    const updated = runBin(['check', '--baseline', '.idxgen-baseline.json', '--update-baseline'], project.dir);
    expect(updated.code).toBe(0);
    const after = parseBaseline(fs.readFileSync(baselineFile(), 'utf8'));
    expect('baseline' in after && after.baseline.entries.map((e) => e.fingerprint)).toEqual(['fk-index Tag (userId)']);
  });

  it('json output stays parseable: baseline notes go to stderr', () => {
    expect(runBin(['check', '--baseline'], project.dir).code).toBe(0);
    const r = runBin(['check', '--baseline', '--format', 'json'], project.dir);
    expect(r.code).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });

  it("a baseline that is not idxgen's JSON, or not a file, is bad input (exit 2, nothing written)", () => {
    fs.writeFileSync(path.join(project.dir, 'b.json'), '{"version": 2, "findings": []}');
    const bad = runBin(['check', '--baseline', 'b.json'], project.dir);
    expect([bad.code, bad.stderr]).toEqual([2, 'b.json: version: expected 1, got 2\n']);
    fs.mkdirSync(path.join(project.dir, 'dir.json'));
    const dir = runBin(['check', '--baseline', 'dir.json'], project.dir);
    expect([dir.code, dir.stderr]).toEqual([2, 'dir.json: the baseline is not a regular file\n']);
    expect(fs.existsSync(baselineFile())).toBe(false);
  });
});

describe('baseline matching', () => {
  const finding = (table: string, column: string) => ({
    ruleId: 'fk-index',
    spec: {
      kind: 'index' as const,
      table,
      columns: [{ column, field: column }],
      method: 'btree' as const,
      unique: false,
      include: [],
      extensions: [],
    },
    message: { title: `t ${table}`, cost: '', instead: '' },
  });

  it('matches one entry per finding: a second identical finding is new', () => {
    const parsed = parseBaseline(renderBaseline([finding('A', 'x')] as never));
    if (!('baseline' in parsed)) throw new Error('unparsable');
    const { fresh, known, stale } = compareWithBaseline([finding('A', 'x'), finding('A', 'x')], parsed.baseline);
    expect([fresh.length, known.length, stale.length]).toEqual([1, 1, 0]);
  });

  it('fingerprints are rule + table + key', () => {
    expect(fingerprint(finding('A', 'x'))).toBe('fk-index A (x)');
  });
});
