import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ValidationCache } from '../schema/validate';

/**
 * The file store behind `ValidationCache`: one small file per entry in `node_modules/.cache/idxgen`
 * (the nearest node_modules above `cwd`), or a private folder in the temp directory. Best effort:
 * any error reads as a miss and a failed write is ignored, so the cache can only skip work, never
 * change a result. Off with `--no-cache` or `IDXGEN_NO_CACHE=1`.
 */
export function openValidationCache(cwd: string, env: NodeJS.ProcessEnv): ValidationCache | undefined {
  if (env.IDXGEN_NO_CACHE && env.IDXGEN_NO_CACHE !== '0') return undefined;
  const validator = validatorIdentity();
  const dir = validator && privateDir(cacheDir(cwd));
  if (!validator || !dir) return undefined;
  return {
    validator,
    get: (key) => {
      try {
        return fs.readFileSync(path.join(dir, key), 'utf8');
      } catch {
        return undefined;
      }
    },
    set: (key, value) => writeCacheFile(path.join(dir, key), value),
  };
}

/** Writes one cache entry whole or not at all (best effort: a failure leaves no file and is ignored). */
export function writeCacheFile(file: string, value: string | Uint8Array): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, value, { mode: 0o600 });
    fs.renameSync(temp, file); // atomic: a concurrent reader sees all of it or nothing
  } catch {
    fs.rmSync(temp, { force: true });
  }
}

/** The installed prisma-schema-wasm: its version, and the size and mtime of its .wasm (a patched install differs). */
function validatorIdentity(): string | undefined {
  try {
    const pkgFile = require.resolve('@prisma/prisma-schema-wasm/package.json');
    const { name, version } = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { name: string; version: string };
    const wasm = fs.statSync(path.join(path.dirname(pkgFile), 'src', 'prisma_schema_build_bg.wasm'));
    return `${name}@${version} ${wasm.size} ${wasm.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** Where idxgen keeps its caches for a run in `cwd` (created by `privateDir`). */
export function cacheDir(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) return path.join(dir, 'node_modules', '.cache', 'idxgen');
    if (path.dirname(dir) === dir) break;
  }
  return path.join(os.tmpdir(), `idxgen-cache-${process.getuid?.() ?? 'user'}`);
}

/**
 * `dir`, created if needed, when only this user can write to it: an entry written by someone else
 * could make idxgen skip validating a broken schema.
 */
export function privateDir(dir: string): string | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    const owner = process.getuid?.();
    if (!st.isDirectory() || (owner !== undefined && st.uid !== owner) || (st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** Which schema a run plans: its folder and its --schema and --config (as given). */
export interface SchemaInput {
  cwd: string;
  schema?: string | undefined;
  config?: string | undefined;
}

/**
 * Whether the schema files that `input` found last time were valid then and are unchanged since (path,
 * size, mtime, as `rememberValidated` wrote them): the validation cache will then very likely answer,
 * and a validator worker would only take CPU from this run (warm `check` on civitai, 9 runs: 0.36 s
 * wall and 0.45 s CPU with the worker, 0.33 s and 0.36 s without). A guess either way: wrong, it
 * costs time (Prisma validates in this thread, or a worker runs that nobody asks), never a result.
 */
export function validatedBefore(input: SchemaInput, env: NodeJS.ProcessEnv): boolean {
  const entry = hintEntry(input, env);
  if (entry === undefined) return false;
  try {
    const recorded = JSON.parse(fs.readFileSync(entry, 'utf8')) as unknown;
    if (!Array.isArray(recorded) || recorded.length === 0) return false;
    const paths = recorded.map((file) => (Array.isArray(file) ? String(file[0]) : ''));
    return JSON.stringify(statFiles(paths)) === JSON.stringify(recorded);
  } catch {
    return false;
  }
}

/** Notes that `files` (the schema `input` found) were just found valid, for `validatedBefore`. */
export function rememberValidated(input: SchemaInput, env: NodeJS.ProcessEnv, files: readonly string[]): void {
  const entry = hintEntry(input, env);
  if (entry === undefined) return;
  try {
    const text = JSON.stringify(statFiles(files.map((f) => path.resolve(input.cwd, f))));
    if (readOrUndefined(entry) !== text) writeCacheFile(entry, text);
  } catch {
    // best effort: the next run starts a worker
  }
}

/** `[path, size, mtime]` of each file (statSync throws for a missing one). */
function statFiles(files: readonly string[]): [string, number, number][] {
  return files.map((file) => {
    const st = fs.statSync(file);
    return [file, st.size, st.mtimeMs];
  });
}

function hintEntry(input: SchemaInput, env: NodeJS.ProcessEnv): string | undefined {
  if (env.IDXGEN_NO_CACHE && env.IDXGEN_NO_CACHE !== '0') return undefined;
  const dir = privateDir(cacheDir(input.cwd));
  return (
    dir &&
    path.join(
      dir,
      `validated-files-${fnv1a(JSON.stringify([path.resolve(input.cwd), input.schema ?? null, input.config ?? null]))}`,
    )
  );
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A 32-bit FNV-1a hash in hex: names the entry (a collision only makes a wrong guess). node:crypto costs ~6 ms to load. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
