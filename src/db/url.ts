/** `--database-url`: a PostgreSQL URL read into a connection target, and shown with its password hidden. */
import { UserError } from '../errors';
import type { DbTarget } from './client';

/** Splits `postgres[ql]://user:password@host:port/database`; a bad URL is a UserError (exit 2). */
export function parseDatabaseUrl(url: string, env: NodeJS.ProcessEnv = {}): DbTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`--database-url: not a URL (expected postgresql://user:password@host:port/database)`);
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new UserError(
      `--database-url: unsupported scheme "${parsed.protocol.replace(/:$/, '')}" (expected postgresql://)`,
    );
  }
  const decode = (s: string) => decodeURIComponent(s);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const database = decode(parsed.pathname.replace(/^\//, '')) || 'postgres';
  return {
    host,
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decode(parsed.username) || env.PGUSER || 'postgres',
    password: decode(parsed.password) || env.PGPASSWORD || '',
    database,
  };
}

/** The connection URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
