/**
 * The test cluster started by global-setup.mjs, and one fresh database per test suite.
 *
 *   const db = testDatabase('catalog');          // in the suite's top level
 *   test('...', async () => { await db.client.query('...') });
 */
import type { Client } from 'pg';
import {
  connect,
  createScratchDatabase,
  type DbTarget,
  type PgConnection,
  type ScratchDatabase,
} from '../../src/db/client';

/** The cluster's connection; throws (failing only the suites that need it) when there is none. */
export function testConnection(): PgConnection {
  const raw = process.env.IDXGEN_TEST_PG;
  if (!raw)
    throw new Error(
      process.env.IDXGEN_TEST_PG_ERROR ??
        'IDXGEN_TEST_PG is not set: is jest using __tests__/support/global-setup.mjs?',
    );
  return JSON.parse(raw) as PgConnection;
}

export interface TestDatabase {
  /** The cluster's connection (to create more databases). */
  readonly connection: PgConnection;
  /** This suite's database. */
  readonly target: DbTarget;
  readonly name: string;
  /** One client on it for the whole suite. */
  readonly client: Client;
}

/** Registers beforeAll/afterAll that create a fresh database for the suite and drop it after. */
export function testDatabase(suiteName: string): TestDatabase {
  let scratch: ScratchDatabase | undefined;
  let client: Client | undefined;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`testDatabase(${suiteName}): ${what} is used before beforeAll ran`);
    return value;
  };
  beforeAll(async () => {
    scratch = await createScratchDatabase(
      testConnection(),
      `t_${suiteName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`,
      { strategy: 'FILE_COPY' },
    );
    client = await connect(scratch.target);
  });
  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await scratch?.drop();
  });
  return {
    get connection() {
      return testConnection();
    },
    get target() {
      return ready(scratch, 'target').target;
    },
    get name() {
      return ready(scratch, 'name').name;
    },
    get client() {
      return ready(client, 'client');
    },
  };
}
