/**
 * The suites that need hypothetical indexes: Debian's PostgreSQL 15 + hypopg, started by `.ci/run`
 * through scripts/hypopg-server.sh (locally: `export IDXGEN_HYPOPG_URL="$(bash scripts/hypopg-server.sh)"`).
 * A suite runs only when IDXGEN_HYPOPG_URL is set, and says loudly that it was skipped otherwise.
 */
import { connect, createScratchDatabase, type ScratchDatabase } from '../../src/db/client';
import { parseDatabaseUrl } from '../../src/db/url';
import type { Client } from 'pg';

export const HYPOPG_URL = process.env.IDXGEN_HYPOPG_URL;

/** `describe` when the hypopg server is there, else `describe.skip` after a banner naming the file. */
export function hypopgSuite(file: string): typeof describe | typeof describe.skip {
  if (HYPOPG_URL) return describe;
  const line = (text: string) => `* ${text.padEnd(66)} *\n`;
  process.stderr.write(
    `\n${'*'.repeat(70)}\n` +
      line(`SKIPPED: ${file} (hypothetical indexes)`) +
      line('IDXGEN_HYPOPG_URL is not set. Run:') +
      line('  export IDXGEN_HYPOPG_URL="$(bash scripts/hypopg-server.sh)"') +
      `${'*'.repeat(70)}\n\n`,
  );
  return describe.skip;
}

/** A fresh database on the hypopg server with the extension created, loaded by `load`. */
export async function hypopgScratch(name: string, load: (client: Client) => Promise<void>): Promise<ScratchDatabase> {
  const parsed = parseDatabaseUrl(HYPOPG_URL!);
  const scratch = await createScratchDatabase(parsed, name, { via: parsed.database });
  const client = await connect(scratch.target);
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS hypopg');
    await load(client);
  } finally {
    await client.end();
  }
  return scratch;
}
