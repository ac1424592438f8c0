/**
 * Prisma's migration engine (schema engine compiled to WASM, `@prisma/schema-engine-wasm`) driven
 * through `@prisma/adapter-pg`, without the Prisma CLI (which needs a native binary it cannot
 * download here). Gives: the from-empty SQL of a schema, the drift between a migrations directory
 * (replayed in a shadow database) or a live database and a schema, and applying migrations.
 *
 * Workarounds (measured against 7.10.0, see the tests):
 *  - The package's entry imports the .wasm as an ES module (Node 20 without
 *    --experimental-wasm-modules: ERR_UNKNOWN_FILE_EXTENSION): we import the JS glue
 *    (`schema_engine_bg`) and instantiate the .wasm ourselves.
 *  - adapter-pg 7.10 throws "Unsupported column type char" for pg type OID 18 (`"char"`), which
 *    the engine's introspection selects (relkind, contype, ...). Mapping it to Text is not enough
 *    (the engine panics: "Getting constraint_type ... as char failed"); it must be Character.
 *  - adapter-pg's own connectToShadowDb opens `new Pool({...config, database})`: given a pg.Pool
 *    it copies pool.options, where pg keeps the password non-enumerable, so the password is lost
 *    (measured: authentication failed); given a connectionString, pg lets the URL win over
 *    `database`; and it drops the shadow database before closing that pool. We supply our own
 *    factory: explicit host/port/user/password/database, pool closed first, then DROP ... (FORCE).
 *  - The engine reports JS-side failures as "External error id#N": we look the error up.
 *  - A Rust panic surfaces as an uncaught WebAssembly RuntimeError from a microtask, not as a
 *    rejection: we catch it while a call is in flight, report the panic message, and refuse
 *    further calls (the instance is not safe to reuse).
 *  - applyMigrations leaves a 10 s timer behind (the glue has setTimeout but no clearTimeout), which
 *    keeps Node alive 10 s after the work is done: we hand the WASM our own setTimeout, track the
 *    timers, and clear the leftovers when the last session closes.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { PoolClient, QueryResult } from 'pg';
import { pg } from './pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type {
  ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';
import { createScratchDatabase, type CreateDatabaseStrategy, type DbTarget, type ScratchDatabase } from './client';

// ---------------------------------------------------------------------------------------------
// Public types

export interface SchemaFile {
  path: string;
  content: string;
}

export interface MigrationFolder {
  /** Folder name, e.g. `20240101000000_init`. */
  name: string;
  /** Content of its migration.sql, or null when the folder has none (the engine then fails). */
  sql: string | null;
}

export interface MigrationsInput {
  /** Absolute path of the migrations directory (the engine uses it in messages). */
  baseDir: string;
  /** migration_lock.toml content; default `provider = "postgresql"`. */
  lockfile?: string | null;
  /** In the order Prisma applies them (folder name order). */
  folders: MigrationFolder[];
  /** SQL run on the shadow database before the migrations, e.g. `CREATE EXTENSION ...`. */
  shadowDbInitScript?: string;
}

export type EngineFailureKind =
  /** The engine could not be loaded or started (WASM, adapter, database connection). */
  | 'unavailable'
  /** The engine ran and reported an error (invalid schema, failing migration, ...). */
  | 'engine-error'
  /** The engine panicked; this process will not use it again. */
  | 'panic';

export type EngineResult<T> =
  { ok: true; value: T; ms: number } | { ok: false; kind: EngineFailureKind; reason: string; ms: number };

export interface EngineFilters {
  externalTables?: string[];
  externalEnums?: string[];
}

export interface SchemaEngineOptions {
  schema: SchemaFile[];
  /**
   * Database the engine connects to (and creates shadow databases next to). Without it the engine
   * runs offline: only `fromEmptySql` works (see OfflineAdapter).
   */
  target?: DbTarget;
  filters?: EngineFilters;
  /** How shadow databases are created (see ScratchOptions.strategy); FILE_COPY only on a throw-away cluster. */
  shadowStrategy?: CreateDatabaseStrategy;
  /** Session settings of the engine's connections to `target` (not the shadow database's). */
  session?: EngineSessionSettings;
}

export interface EngineSessionSettings {
  /** `application_name`, so another connection can find the engine's backend in pg_stat_activity. */
  applicationName?: string;
  /** `lock_timeout` in ms for every statement the engine runs (0 or absent: the server's). */
  lockTimeoutMs?: number;
  /** Told about each error PostgreSQL returns to the engine (SQLSTATE and message), before the engine rewords it. */
  onDatabaseError?: (error: { code: string; message: string }) => void;
}

/** `diagnoseMigrationHistory` without a shadow database: what `prisma migrate status` reads. */
export interface MigrationHistoryDiagnosis {
  hasMigrationsTable: boolean;
  failedMigrationNames: string[];
  editedMigrationNames: string[];
  /** Folders not applied yet (in order), when the database is only behind. */
  unappliedMigrationNames: string[];
  /** The engine's own diagnostic, null when in sync. */
  history: { diagnostic: string } | null;
}

export interface SchemaEngineSession {
  /** Engine git hash. */
  readonly version: string;
  /** `prisma migrate diff --from-empty --to-schema --script`. */
  fromEmptySql(): Promise<EngineResult<string>>;
  /** SQL that would bring the migrations' end state to the schema; '' when there is no drift. Uses a shadow database. */
  diffMigrationsToSchema(migrations: MigrationsInput): Promise<EngineResult<string>>;
  /** SQL that would bring the live database to the schema; '' when there is no drift. */
  diffDatabaseToSchema(): Promise<EngineResult<string>>;
  /** `prisma migrate deploy`: applies unapplied folders; returns the names applied now. */
  applyMigrations(migrations: MigrationsInput): Promise<EngineResult<string[]>>;
  /** `prisma migrate resolve --rolled-back <name>`. */
  markMigrationRolledBack(name: string): Promise<EngineResult<void>>;
  /** `prisma migrate status`: the history compared with the folders (no shadow database). */
  diagnoseMigrationHistory(migrations: MigrationsInput): Promise<EngineResult<MigrationHistoryDiagnosis>>;
  /** Frees the engine, closes pools, drops leftover shadow databases. Idempotent. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Loading the WASM

type Runtime = typeof import('@prisma/schema-engine-wasm/schema_engine_bg', { with: { 'resolution-mode': 'import' } });
type Engine = Awaited<ReturnType<Runtime['SchemaEngine']['new']>>;
type AdapterUtils = typeof import('@prisma/driver-adapter-utils');

interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

interface Loaded {
  runtime: Runtime;
  utils: AdapterUtils;
  version: string;
}

let loading: Promise<Loaded> | null = null;
let panicMessage: string | null = null;
let poisoned: string | null = null;

function installPanicRegistry(): void {
  // The glue calls global.PRISMA_WASM_PANIC_REGISTRY.set_message(msg) when Rust panics.
  (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = {
    set_message(message: string) {
      panicMessage = message;
    },
  };
}

const engineTimers = new Set<ReturnType<typeof setTimeout>>();
let liveSessions = 0;

function trackedSetTimeout(callback: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(() => {
    engineTimers.delete(timer);
    callback();
  }, ms >>> 0);
  engineTimers.add(timer);
  return timer;
}

/** Called when a session ends; once none is left, nothing can be waiting on an engine timer. */
function sessionEnded(): void {
  liveSessions = Math.max(0, liveSessions - 1);
  if (liveSessions > 0) return;
  for (const timer of engineTimers) clearTimeout(timer);
  engineTimers.clear();
}

async function loadRuntime(): Promise<Loaded> {
  installPanicRegistry();
  const runtime: Runtime = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasmFile = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const imports: Record<string, unknown> = { ...runtime };
  for (const name of Object.keys(imports)) if (name.startsWith('__wbg_setTimeout_')) imports[name] = trackedSetTimeout;
  const { instance } = await wasm.instantiate(await readFile(wasmFile), { './schema_engine_bg.js': imports });
  runtime.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  // The same copy adapter-pg uses (it pins it), found from adapter-pg's own location.
  const utils = createRequire(require.resolve('@prisma/adapter-pg'))('@prisma/driver-adapter-utils') as AdapterUtils;
  return { runtime, utils, version: runtime.version() };
}

/** Loads (once per process) the engine WASM; `value` is the engine's git hash. */
export async function loadSchemaEngine(): Promise<EngineResult<string>> {
  const started = performance.now();
  loading ??= loadRuntime();
  try {
    return { ok: true, value: (await loading).version, ms: performance.now() - started };
  } catch (error) {
    loading = null;
    return fail('unavailable', `cannot load @prisma/schema-engine-wasm: ${messageOf(error)}`, started);
  }
}

// ---------------------------------------------------------------------------------------------
// The `"char"` workaround

const CHAR_OID = 18;
const TEXT_OID = 25;
const COLUMN_TYPE_CHARACTER = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils
const charColumns = new WeakMap<object, number[]>();

// adapter-pg returns the very `rows` array pg produced; we key the `"char"` column positions on it.
function markCharColumns(result: QueryResult | QueryResult[] | undefined): void {
  for (const res of Array.isArray(result) ? result : [result]) {
    if (!res?.fields) continue;
    const positions: number[] = [];
    res.fields.forEach((field, i) => {
      if (field.dataTypeID === CHAR_OID) {
        field.dataTypeID = TEXT_OID;
        positions.push(i);
      }
    });
    if (positions.length > 0) charColumns.set(res.rows, positions);
  }
}

function restoreCharColumns(result: SqlResultSet): SqlResultSet {
  const positions = charColumns.get(result.rows);
  if (!positions) return result;
  const columnTypes = [...result.columnTypes];
  for (const i of positions) columnTypes[i] = COLUMN_TYPE_CHARACTER;
  return { ...result, columnTypes };
}

type QueryFn = (...args: unknown[]) => unknown;

function patchClientQuery(client: PoolClient): void {
  const target = client as unknown as { query: QueryFn };
  const original = target.query.bind(client);
  target.query = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, res: QueryResult) => {
        markCharColumns(res);
        (last as (e: unknown, r: QueryResult) => void)(err, res);
      };
      return original(...args);
    }
    const ret = original(...args);
    if (ret instanceof Promise) return ret.then((res: QueryResult) => (markCharColumns(res), res));
    return ret;
  };
}

function wrapTransaction(tx: Transaction): Transaction {
  return {
    provider: tx.provider,
    adapterName: tx.adapterName,
    options: tx.options,
    queryRaw: async (q: SqlQuery) => restoreCharColumns(await tx.queryRaw(q)),
    executeRaw: (q: SqlQuery) => tx.executeRaw(q),
    commit: () => tx.commit(),
    rollback: () => tx.rollback(),
    createSavepoint: tx.createSavepoint && ((name: string) => tx.createSavepoint!(name)),
    rollbackToSavepoint: tx.rollbackToSavepoint && ((name: string) => tx.rollbackToSavepoint!(name)),
    releaseSavepoint: tx.releaseSavepoint && ((name: string) => tx.releaseSavepoint!(name)),
  };
}

/** The SQLSTATE adapter-pg keeps on the errors it throws (`cause.originalCode`). */
function databaseErrorOf(error: unknown): { code: string; message: string } | null {
  const cause = (error as { cause?: { originalCode?: unknown; originalMessage?: unknown } } | null)?.cause;
  if (!cause || typeof cause.originalCode !== 'string') return null;
  return {
    code: cause.originalCode,
    message: typeof cause.originalMessage === 'string' ? cause.originalMessage : messageOf(error),
  };
}

function wrapAdapter(
  inner: SqlDriverAdapter,
  onDispose: () => Promise<void> = async () => undefined,
  onDatabaseError?: (error: { code: string; message: string }) => void,
): SqlDriverAdapter {
  let disposed: Promise<void> | null = null;
  const watch = <T>(p: Promise<T>): Promise<T> =>
    onDatabaseError
      ? p.catch((error: unknown) => {
          const db = databaseErrorOf(error);
          if (db) onDatabaseError(db);
          throw error;
        })
      : p;
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: async (q) => restoreCharColumns(await watch(inner.queryRaw(q))),
    executeRaw: (q) => watch(inner.executeRaw(q)),
    executeScript: (script) => watch(inner.executeScript(script)),
    startTransaction: async (level) => wrapTransaction(await inner.startTransaction(level)),
    getConnectionInfo: () => inner.getConnectionInfo?.() ?? { supportsRelationJoins: true },
    // Close the pool first, then drop the database it pointed at.
    dispose: () => (disposed ??= inner.dispose().then(onDispose)),
  };
}

// ---------------------------------------------------------------------------------------------
// Adapter factories

/** Opens pools on `target`'s server and creates/drops shadow databases next to `target`. */
class EngineAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';
  private readonly open = new Set<SqlDriverAdapter>();
  private readonly shadows = new Set<ScratchDatabase>();

  constructor(
    private readonly target: DbTarget,
    private readonly shadowStrategy?: CreateDatabaseStrategy,
    private readonly session: EngineSessionSettings = {},
  ) {}

  connect(): Promise<SqlDriverAdapter> {
    return this.openAdapter(this.target.database, undefined, this.session);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadow = await createScratchDatabase(this.target, 'prisma_migrate_shadow_db', {
      via: this.target.database,
      strategy: this.shadowStrategy,
    });
    this.shadows.add(shadow);
    return this.openAdapter(shadow.name, async () => {
      await shadow.drop();
      this.shadows.delete(shadow);
    });
  }

  private async openAdapter(
    database: string,
    afterClose?: () => Promise<void>,
    session: EngineSessionSettings = {},
  ): Promise<SqlDriverAdapter> {
    const { host, port, user, password } = this.target;
    const pool = new (pg().Pool)({
      host,
      port,
      user,
      password,
      database,
      ...(session.applicationName !== undefined ? { application_name: session.applicationName } : {}),
      ...(session.lockTimeoutMs ? { lock_timeout: session.lockTimeoutMs } : {}),
    });
    pool.on('connect', patchClientQuery);
    pool.on('error', () => undefined);
    // adapter-pg ships its own copy of @types/pg; the runtime class is the same `pg`.
    const external = pool as unknown as ConstructorParameters<typeof PrismaPg>[0];
    const inner = await new PrismaPg(external, { disposeExternalPool: true }).connect();
    const adapter = wrapAdapter(
      inner,
      async () => {
        this.open.delete(adapter);
        await afterClose?.();
      },
      session.onDatabaseError,
    );
    this.open.add(adapter);
    return adapter;
  }

  async closeAll(): Promise<void> {
    for (const adapter of [...this.open]) await adapter.dispose().catch(() => undefined);
    for (const shadow of [...this.shadows]) await shadow.drop().catch(() => undefined);
    this.shadows.clear();
  }
}

const OFFLINE_REASON = 'no database: this engine session runs offline (only fromEmptySql works without a target)';

/**
 * Lets the engine start without a database. At construction it runs one probe query
 * (schema exists?, version(), server_version_num); we answer it with a fixed PostgreSQL 18 and
 * refuse everything else. `diff --from-empty --to-schema` needs nothing more.
 */
class OfflineAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';

  async connect(): Promise<SqlDriverAdapter> {
    const refuse = async (): Promise<never> => {
      throw new Error(OFFLINE_REASON);
    };
    return {
      provider: 'postgres',
      adapterName: this.adapterName,
      queryRaw: async (q) => {
        if (!/\bversion\(\)/.test(q.sql)) return refuse();
        // Boolean, Text, Int32 in ColumnTypeEnum.
        return {
          columnNames: ['exists', 'version', 'numeric_version'],
          columnTypes: [5, 7, 0],
          rows: [[true, 'PostgreSQL 18.0', 180000]],
        };
      },
      executeRaw: refuse,
      executeScript: refuse,
      startTransaction: refuse,
      getConnectionInfo: () => ({ supportsRelationJoins: true }),
      dispose: async () => undefined,
    };
  }

  connectToShadowDb(): Promise<SqlDriverAdapter> {
    throw new Error(OFFLINE_REASON);
  }
}

// ---------------------------------------------------------------------------------------------
// Calling the engine

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fail(
  kind: EngineFailureKind,
  reason: string,
  started: number,
): { ok: false; kind: EngineFailureKind; reason: string; ms: number } {
  return { ok: false, kind, reason, ms: performance.now() - started };
}

/** Replaces "External error id#N" by the JS error the adapter threw. */
function explain(error: unknown, bound: ErrorCapturingSqlMigrationAwareDriverAdapterFactory): string {
  const message = messageOf(error);
  return message.replace(/External error id#(\d+)/g, (whole, id: string) => {
    const record = bound.errorRegistry.consumeError(Number(id));
    return record ? `${whole}: ${messageOf(record.error)}` : whole;
  });
}

/** A WebAssembly trap (a Rust panic ends in `unreachable`) coming from this engine. */
function isEngineTrap(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'RuntimeError' &&
    (panicMessage !== null || /wasm:\/\//.test(error.stack ?? ''))
  );
}

/**
 * Runs one engine call. A panic inside the engine is thrown as an uncaught RuntimeError from a
 * microtask (the call's promise never settles), so while a call is in flight we listen for it.
 */
async function guarded<T>(
  run: () => Promise<T>,
  bound: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
): Promise<EngineResult<T>> {
  const started = performance.now();
  if (poisoned) return fail('panic', `the schema engine panicked earlier in this process: ${poisoned}`, started);
  panicMessage = null;
  let onUncaught: ((error: unknown) => void) | undefined;
  const panicked = new Promise<never>((_, reject) => {
    onUncaught = (error: unknown) => {
      if (isEngineTrap(error)) return reject(error);
      // Not ours. If nobody else listens, give it back to Node's default handling (crash).
      process.removeListener('uncaughtException', onUncaught!);
      if (process.listenerCount('uncaughtException') === 0)
        setImmediate(() => {
          throw error;
        });
    };
    process.on('uncaughtException', onUncaught);
  });
  try {
    return { ok: true, value: await Promise.race([run(), panicked]), ms: performance.now() - started };
  } catch (error) {
    if (panicMessage !== null || isEngineTrap(error)) {
      poisoned = panicMessage ?? messageOf(error);
      return fail('panic', `the schema engine panicked: ${poisoned}`, started);
    }
    return fail('engine-error', explain(error, bound), started);
  } finally {
    process.removeListener('uncaughtException', onUncaught!);
    panicked.catch(() => undefined);
  }
}

function toMigrationList(m: MigrationsInput) {
  return {
    baseDir: m.baseDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: m.lockfile === undefined ? 'provider = "postgresql"\n' : m.lockfile,
    },
    shadowDbInitScript: m.shadowDbInitScript ?? '',
    migrationDirectories: m.folders.map((f) => ({
      path: f.name,
      migrationFile: {
        path: 'migration.sql',
        content:
          f.sql === null
            ? { tag: 'error' as const, value: `no migration.sql in ${join(m.baseDir, f.name)}` }
            : { tag: 'ok' as const, value: f.sql },
      },
    })),
  };
}

/** The engine prints `-- This is an empty migration.` for no change; we return ''. */
function scriptOrEmpty(result: { exitCode: number; stdout: string | null }): string {
  return result.exitCode === 0 ? '' : (result.stdout ?? '');
}

/** Starts an engine on a schema (and a database, unless offline). Close the session when done. */
export async function openSchemaEngine(opts: SchemaEngineOptions): Promise<EngineResult<SchemaEngineSession>> {
  const started = performance.now();
  const load = await loadSchemaEngine();
  if (!load.ok) return load;
  if (poisoned) return fail('panic', `the schema engine panicked earlier in this process: ${poisoned}`, started);
  const { runtime, utils, version } = await loading!;
  const factory = opts.target
    ? new EngineAdapterFactory(opts.target, opts.shadowStrategy, opts.session)
    : new OfflineAdapterFactory();
  const bound = utils.bindMigrationAwareSqlAdapterFactory(factory);
  const datamodels = opts.schema.map((f): [string, string] => [f.path, f.content]);
  liveSessions++;
  const created = await guarded(() => runtime.SchemaEngine.new({ datamodels }, () => undefined, bound), bound);
  if (!created.ok) {
    if (factory instanceof EngineAdapterFactory) await factory.closeAll();
    sessionEnded();
    const kind = created.kind === 'panic' ? 'panic' : 'unavailable';
    return fail(kind, `cannot start the schema engine: ${created.reason}`, started);
  }
  return {
    ok: true,
    value: makeSession(created.value, opts, bound, factory, version),
    ms: performance.now() - started,
  };
}

function makeSession(
  engine: Engine,
  opts: SchemaEngineOptions,
  bound: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  factory: EngineAdapterFactory | OfflineAdapterFactory,
  version: string,
): SchemaEngineSession {
  const files = opts.schema.map((f) => ({ path: f.path, content: f.content }));
  const filters = {
    externalTables: opts.filters?.externalTables ?? [],
    externalEnums: opts.filters?.externalEnums ?? [],
  };
  const toSchema = { tag: 'schemaDatamodel' as const, files };
  const call = <T>(run: () => Promise<T>) => guarded(run, bound);
  const offline = factory instanceof OfflineAdapterFactory;
  // Without a database the engine would fail anyway; say why without asking it.
  const needsDb = <T>(run: () => Promise<T>): Promise<EngineResult<T>> =>
    offline ? Promise.resolve(fail('unavailable', OFFLINE_REASON, performance.now())) : call(run);
  let closed = false;
  return {
    version,
    fromEmptySql: () =>
      call(
        async () =>
          (await engine.diff({ from: { tag: 'empty' }, to: toSchema, script: true, exitCode: null, filters })).stdout ??
          '',
      ),
    diffMigrationsToSchema: (migrations) =>
      needsDb(async () =>
        scriptOrEmpty(
          await engine.diff({
            from: { tag: 'migrations', ...toMigrationList(migrations) },
            to: toSchema,
            script: true,
            exitCode: true,
            filters,
          }),
        ),
      ),
    diffDatabaseToSchema: () =>
      needsDb(async () =>
        scriptOrEmpty(
          await engine.diff({
            from: { tag: 'schemaDatasource', files, configDir: process.cwd() },
            to: toSchema,
            script: true,
            exitCode: true,
            filters,
          }),
        ),
      ),
    applyMigrations: (migrations) =>
      needsDb(
        async () =>
          (await engine.applyMigrations({ migrationsList: toMigrationList(migrations), filters }))
            .appliedMigrationNames,
      ),
    markMigrationRolledBack: (migrationName) =>
      needsDb(async () => {
        await engine.markMigrationRolledBack({ migrationName });
      }),
    diagnoseMigrationHistory: (migrations) =>
      needsDb(async () => {
        const out = await engine.diagnoseMigrationHistory({
          migrationsList: toMigrationList(migrations),
          optInToShadowDatabase: false,
          filters,
        });
        const h = out.history;
        return {
          hasMigrationsTable: out.hasMigrationsTable,
          failedMigrationNames: out.failedMigrationNames,
          editedMigrationNames: out.editedMigrationNames,
          unappliedMigrationNames: h && h.diagnostic !== 'migrationsDirectoryIsBehind' ? h.unappliedMigrationNames : [],
          history: h,
        };
      }),
    async close() {
      if (closed) return;
      closed = true;
      if (!poisoned) engine.free();
      if (factory instanceof EngineAdapterFactory) await factory.closeAll();
      sessionEnded();
    },
  };
}

/** One-shot from-empty SQL (`ms` includes starting the engine); offline unless a target is given. */
export async function schemaFromEmptySql(schema: SchemaFile[], target?: DbTarget): Promise<EngineResult<string>> {
  const started = performance.now();
  const session = await openSchemaEngine({ schema, target });
  if (!session.ok) return session;
  try {
    return { ...(await session.value.fromEmptySql()), ms: performance.now() - started };
  } finally {
    await session.value.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Reading a migrations directory

/** Reads `dir` as Prisma does: every sub-folder (name order) with its migration.sql, and the lock file. */
export async function readMigrationsDirectory(dir: string): Promise<MigrationsInput> {
  const baseDir = resolve(dir);
  const entries = await readdir(baseDir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const folders = await Promise.all(
    names.map(async (name) => ({
      name,
      sql: await readFile(join(baseDir, name, 'migration.sql'), 'utf8').catch(() => null),
    })),
  );
  const lockPath = join(baseDir, 'migration_lock.toml');
  const lockfile = (await stat(lockPath).catch(() => null)) ? await readFile(lockPath, 'utf8') : null;
  return { baseDir, lockfile, folders };
}
