/**
 * The planner's judgement with hypothetical indexes: Debian's PostgreSQL 15 + hypopg (started by
 * `.ci/run` through scripts/hypopg-server.sh; locally:
 * `export IDXGEN_HYPOPG_URL="$(bash scripts/hypopg-server.sh)"`). Runs only when
 * IDXGEN_HYPOPG_URL is set, and says so loudly when it is not.
 *
 * PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN): pg_stat_statements' `$n` statements cannot be
 * planned there (idxgen says sample parameters are needed); a `.sql` file's statement with its
 * values is planned before → after with the hypothetical index, and nothing is written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { connect, type ScratchDatabase } from '../../src/db/client';
import { parseDatabaseUrl } from '../../src/db/url';
import { HYPOPG_URL, hypopgScratch, hypopgSuite } from '../support/hypopg';
import { BUNDLED_SCHEMA, REPO, loadProduction, runWorkload, type Volumes } from '../support/live-workload';

const VOLUMES: Volumes = { users: 1_000, posts: 20_000, messages: 60_000 };
const suite = hypopgSuite('__tests__/workload/hypopg.test.ts');

suite('hypopg (PostgreSQL 15)', () => {
  let scratch: ScratchDatabase | undefined;
  let url = '';
  let dir = '';
  beforeAll(async () => {
    scratch = await hypopgScratch('t_hypopg', async (client) => {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await loadProduction(client, VOLUMES);
      await runWorkload(client, VOLUMES);
    });
    url = scratch.url;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-hypopg-'));
    fs.writeFileSync(
      path.join(dir, 'queue.sql'),
      `SELECT "id" FROM "Message" WHERE "status" = 'SENT'::"MessageStatus" ORDER BY "createdAt" LIMIT 50;\n`,
    );
  }, 300_000);
  afterAll(async () => {
    await scratch?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('plans the index hypothetically: cost before → after, nothing written; $n statements need sample parameters on 15', async () => {
    const indexesBefore = await indexCount();
    const r = spawnSync(
      process.execPath,
      [
        path.join(REPO, 'bin', 'idxgen.js'),
        'plan',
        '--schema',
        BUNDLED_SCHEMA,
        '--format',
        'json',
        '--database-url',
        url,
        '--queries',
        path.join(dir, 'queue.sql'),
      ],
      {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1' },
      },
    );
    expect(r.stderr).toContain('older than PostgreSQL 16');
    expect(r.stderr).not.toContain('hypopg is not installed');
    expect(r.status).toBe(0);
    const entries = (
      JSON.parse(r.stdout) as {
        entries: {
          ruleId: string;
          spec: { table: string; columns: { column: string }[] };
          workload?: {
            method: string;
            savedMs: number;
            statements: { text: string; costBefore: number | null; costAfter: number | null; note: string | null }[];
          };
        }[];
      }
    ).entries;
    // The queue read (the .sql file's statement, with its values) is planned with the hypothetical index.
    const queue = entries.find(
      (e) => e.spec.table === 'Message' && (e.workload?.statements ?? []).some((s) => s.text.includes(`'SENT'`)),
    );
    const planned = queue!.workload!.statements.find((s) => s.text.includes(`'SENT'`))!;
    expect(planned.costBefore).toBeGreaterThan(0);
    expect(planned.costAfter!).toBeLessThan(planned.costBefore! / 5);
    expect(planned.note).toBeNull();
    // The Post feed came from pg_stat_statements only ($n parameters): not planned on 15, and said so.
    const feed = entries.find((e) => e.ruleId === 'workload-index' && e.spec.table === 'Post')!;
    expect(feed.workload!.statements.length).toBeGreaterThan(0);
    expect(feed.workload!.statements.every((s) => s.costBefore === null && s.note!.includes('sample parameters'))).toBe(
      true,
    );
    // ... ranked by the time it took instead, labelled as the weaker evidence.
    expect(feed.workload!.method).toBe('measured-time');
    expect(feed.workload!.savedMs).toBeGreaterThan(0);
    expect(await indexCount()).toBe(indexesBefore); // hypothetical: nothing was created
    expect(`${r.stdout}${r.stderr}`).not.toContain(parseDatabaseUrl(HYPOPG_URL!).password);
  });

  async function indexCount(): Promise<number> {
    const client = await connect(scratch!.target);
    try {
      return Number(
        (await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_indexes WHERE schemaname = 'public'`))
          .rows[0]!.n,
      );
    } finally {
      await client.end();
    }
  }
});
