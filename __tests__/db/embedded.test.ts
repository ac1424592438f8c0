import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded';
import { connectionUrl, createScratchDatabase, query, scratchDatabaseName } from '../../src/db/client';
import { testConnection } from '../support/pg';
import { Client } from 'pg';

describe('startEmbeddedPostgres (a second, private cluster)', () => {
  let pg: EmbeddedPostgres | undefined;
  const logs: string[] = [];
  const consoleLog = jest.spyOn(console, 'log');

  afterAll(async () => {
    await pg?.stop();
    consoleLog.mockRestore();
  });

  test('starts on a free port, quietly, and answers queries', async () => {
    pg = await startEmbeddedPostgres({ onLog: (m) => logs.push(m) });
    expect(pg.connection.port).toBeGreaterThan(0);
    expect(pg.connection.port).not.toBe(testConnection().port);
    expect(pg.startMs).toBeGreaterThan(0);
    const rows = await query<{ v: string }>(
      { ...pg.connection, database: 'postgres' },
      "SELECT current_setting('server_version') AS v",
    );
    expect(rows[0].v).toMatch(/^18\./);
    expect(logs.join('')).toMatch(/ready to accept connections/);
    expect(consoleLog).not.toHaveBeenCalled();
  });

  test('stop() stops the server and removes its temp dir; a second stop is a no-op', async () => {
    const data = (
      await query<{ d: string }>(
        { ...pg!.connection, database: 'postgres' },
        "SELECT current_setting('data_directory') AS d",
      )
    )[0].d;
    expect(existsSync(data)).toBe(true);
    await pg!.stop();
    await pg!.stop();
    expect(existsSync(data)).toBe(false);
    expect(existsSync(data.replace(/\/data$/, ''))).toBe(false);
    await expect(query({ ...pg!.connection, database: 'postgres' }, 'SELECT 1')).rejects.toThrow();
    pg = undefined;
  });
});

test('a port already taken is a clear error, and leaves no temp dir behind', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  // A temp folder of this test's own: other suites (and other processes) start servers in the
  // shared one at the same time. os.tmpdir() reads TMPDIR on every call.
  const own = mkdtempSync(join(tmpdir(), 'idxgen-embedded-test-'));
  chmodSync(own, 0o755); // as root the cluster runs as `postgres`, which must traverse it
  const saved = process.env['TMPDIR'];
  process.env['TMPDIR'] = own;
  try {
    await expect(startEmbeddedPostgres({ port })).rejects.toThrow(`exited before it was ready on port ${port}`);
  } finally {
    blocker.close();
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  }
  expect(readdirSync(own)).toEqual([]);
  rmSync(own, { recursive: true, force: true });
});

describe('the cached data directory (src/db/data-template.ts)', () => {
  let own = '';
  beforeAll(() => {
    own = mkdtempSync(join(tmpdir(), 'idxgen-template-test-'));
    chmodSync(own, 0o755); // as root the cluster runs as `postgres`, which must traverse it
  });
  afterAll(() => rmSync(own, { recursive: true, force: true }));

  const version = async (pg: EmbeddedPostgres) =>
    (
      await query<{ v: string }>(
        { ...pg.connection, database: 'postgres' },
        "SELECT current_setting('server_version') AS v",
      )
    )[0]!.v;
  const refused = async (connection: EmbeddedPostgres['connection'], password: string) =>
    query({ ...connection, password, database: 'postgres' }, 'SELECT 1').then(
      () => 'accepted',
      (error: Error) => error.message,
    );

  test('the first run keeps its initdb as the template, the next copies it; each ends with a password of its own', async () => {
    const first = await startEmbeddedPostgres({ template: { root: own } });
    try {
      expect(first.dataDir).toBe('initdb+template');
      expect(await version(first)).toMatch(/^18\./);
    } finally {
      await first.stop();
    }
    const dirs = readdirSync(own);
    expect(dirs).toEqual([expect.stringMatching(/^idxgen-pg-template-[0-9a-f]{16}$/)]);
    const template = join(own, dirs[0]!);
    expect(readdirSync(template).sort()).toEqual(['data', 'password', 'ready']);
    const templatePassword = readFileSync(join(template, 'password'), 'utf8').trim();

    const second = await startEmbeddedPostgres({ template: { root: own } });
    try {
      expect(second.dataDir).toBe('template');
      expect(await version(second)).toMatch(/^18\./);
      expect(second.connection.password).not.toBe(templatePassword);
      // The template's password no longer opens the running cluster.
      expect(await refused(second.connection, templatePassword)).toMatch(/password authentication failed/);
    } finally {
      await second.stop();
    }
    // Never started itself: no postmaster.pid in the template.
    expect(existsSync(join(template, 'data', 'postmaster.pid'))).toBe(false);
  });

  test('a template that does not start is removed, and the run falls back to initdb', async () => {
    const [name] = readdirSync(own);
    expect(name).toBeDefined();
    // Break it: PostgreSQL refuses a data directory without PG_VERSION.
    rmSync(join(own, name!, 'data', 'PG_VERSION'));
    const pg = await startEmbeddedPostgres({ template: { root: own } });
    try {
      expect(pg.dataDir).toBe('initdb+template');
      expect(await version(pg)).toMatch(/^18\./);
    } finally {
      await pg.stop();
    }
    expect(existsSync(join(own, name!, 'data', 'PG_VERSION'))).toBe(true);
    expect(readdirSync(own)).toEqual([name]);
  });

  test('template: false runs initdb and keeps nothing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'idxgen-template-off-'));
    try {
      const saved = process.env['TMPDIR'];
      process.env['TMPDIR'] = empty;
      try {
        const pg = await startEmbeddedPostgres({ template: false });
        expect(pg.dataDir).toBe('initdb');
        await pg.stop();
      } finally {
        if (saved === undefined) delete process.env['TMPDIR'];
        else process.env['TMPDIR'] = saved;
      }
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('createScratchDatabase', () => {
  test('hostile prefixes are quoted, names fit 63 bytes, drop is idempotent', async () => {
    const prefix = `we"ird é ${'x'.repeat(80)}`;
    expect(Buffer.byteLength(scratchDatabaseName(prefix))).toBeLessThanOrEqual(63);
    const scratch = await createScratchDatabase(testConnection(), prefix);
    expect(scratch.name.startsWith('we"ird é')).toBe(true);
    const client = new Client({ connectionString: scratch.url });
    await client.connect();
    expect((await client.query('SELECT current_database() AS d')).rows[0].d).toBe(scratch.name);
    await client.end();
    await scratch.drop();
    await scratch.drop();
    const left = await query(
      { ...testConnection(), database: 'postgres' },
      'SELECT 1 FROM pg_database WHERE datname = $1',
      [scratch.name],
    );
    expect(left).toEqual([]);
  });

  test('drop terminates sessions still connected', async () => {
    const scratch = await createScratchDatabase(testConnection(), 'busy');
    const client = new Client({ connectionString: connectionUrl(scratch.target) });
    client.on('error', () => undefined);
    await client.connect();
    await scratch.drop();
    await expect(client.query('SELECT 1')).rejects.toThrow();
    await client.end().catch(() => undefined);
  });
});
