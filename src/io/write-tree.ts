/**
 * THE one place idxgen writes to the file system. All or nothing:
 *
 *   1. stage: every new migration folder (and migration_lock.toml) is written into a temporary
 *      folder created beside the migrations folder (same parent, so the same file system and
 *      rename() is atomic); every schema file is written to a temporary file beside itself;
 *   2. commit: the staged folders are renamed into the migrations folder one by one, then the
 *      lock file is linked in (link() never overwrites), then each schema file is renamed over
 *      the original;
 *   3. on any error, everything committed so far is undone (renamed-in folders removed, the lock
 *      file removed, the original schema text put back the same way), the staging area is
 *      removed, and the error is re-thrown.
 *
 * Existing migration folders are never opened for writing: a target name that already exists
 * aborts before anything is committed. A `hooks.beforeStep` callback (tests) can throw at any
 * step to simulate a failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TreeFile {
  /** Path relative to the migrations folder, `/`-separated (`<folder>/migration.sql`, `migration_lock.toml`). */
  path: string;
  content: string;
}

export interface SchemaWrite {
  /** Absolute path of the schema file. */
  file: string;
  /** Its content now (checked just before the commit: a file changed meanwhile is not overwritten). */
  before: string;
  after: string;
}

export interface WriteTreeInput {
  /** Absolute path of the migrations folder (created when missing). */
  migrationsDir: string;
  /** New migration folders' files and, at the top level, migration_lock.toml when new. */
  files: TreeFile[];
  schemaWrites: SchemaWrite[];
}

export type WriteStep =
  | { kind: 'mkdir'; path: string }
  | { kind: 'write'; path: string }
  | { kind: 'commit-folder'; path: string }
  | { kind: 'commit-file'; path: string }
  | { kind: 'commit-schema'; path: string };

export interface WriteHooks {
  /** Called before each file system change; throwing aborts (and rolls back) the write. */
  beforeStep?: (step: WriteStep) => void;
}

export interface WriteTreeResult {
  /** Absolute paths of the folders and top-level files created in the migrations folder. */
  created: string[];
  /** Absolute paths of the schema files rewritten. */
  schemaFiles: string[];
}

const STAGING_PREFIX = '.idxgen-staging-';

/**
 * The write cannot go ahead for a reason on disk that the user fixes (a file where a folder goes,
 * a target that exists, a schema changed meanwhile): bad input, exit 2, reported with `path`.
 * File system errors (EACCES, EROFS, ENOSPC...) are thrown as they come, with their own path.
 */
export class WriteRefused extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`write-tree: ${path} ${reason}`);
    this.name = 'WriteRefused';
  }
}

function checkRelative(rel: string): string[] {
  const parts = rel.split('/');
  if (rel === '' || path.isAbsolute(rel) || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\u0000'))) {
    throw new Error(`write-tree: unsafe relative path ${JSON.stringify(rel)}`);
  }
  return parts;
}

export function writeTree(input: WriteTreeInput, hooks: WriteHooks = {}): WriteTreeResult {
  const step = (s: WriteStep) => hooks.beforeStep?.(s);
  const dir = path.resolve(input.migrationsDir);
  const parent = path.dirname(dir);
  const tops = new Map<string, 'folder' | 'file'>();
  for (const file of input.files) {
    const parts = checkRelative(file.path);
    tops.set(parts[0]!, parts.length > 1 ? 'folder' : 'file');
  }

  // Nothing is created until every check passed.
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new WriteRefused(dir, 'is a file, not a folder');
  for (const [name] of tops) {
    if (fs.existsSync(path.join(dir, name))) throw new WriteRefused(path.join(dir, name), 'already exists; existing migrations are never touched');
  }
  for (const w of input.schemaWrites) {
    if (fs.readFileSync(w.file, 'utf8') !== w.before) throw new WriteRefused(w.file, 'changed since it was read');
  }

  const createdDirs: string[] = []; // parents created for the migrations folder, deepest last
  const committed: { path: string; kind: 'folder' | 'file' }[] = [];
  const schemaTemps: string[] = [];
  const schemaDone: SchemaWrite[] = [];
  let staging: string | undefined;
  try {
    if (input.files.length > 0) {
      // The migrations folder (and any missing parent) first: the staging area lives in its parent.
      const missing: string[] = [];
      for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
      for (const d of missing) {
        step({ kind: 'mkdir', path: d });
        fs.mkdirSync(d);
        createdDirs.push(d);
      }
      step({ kind: 'mkdir', path: path.join(parent, `${STAGING_PREFIX}*`) });
      staging = fs.mkdtempSync(path.join(parent, STAGING_PREFIX));
      for (const file of input.files) {
        const target = path.join(staging, ...checkRelative(file.path));
        step({ kind: 'write', path: target });
        fs.mkdirSync(path.dirname(target), { recursive: true });
        writeFileDurably(target, file.content);
      }
    }
    for (const w of input.schemaWrites) {
      const temp = `${w.file}.idxgen-tmp-${process.pid}`;
      step({ kind: 'write', path: temp });
      fs.rmSync(temp, { force: true }); // a leftover of a killed run with the same pid
      schemaTemps.push(temp);
      writeFileDurably(temp, w.after, fs.statSync(w.file).mode & 0o777);
    }

    // Commit.
    for (const [name, kind] of [...tops].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const from = path.join(staging!, name);
      const to = path.join(dir, name);
      if (kind === 'folder') {
        step({ kind: 'commit-folder', path: to });
        if (fs.existsSync(to)) throw new WriteRefused(to, 'appeared while idxgen was writing');
        fs.renameSync(from, to);
      } else {
        step({ kind: 'commit-file', path: to });
        fs.linkSync(from, to); // fails with EEXIST instead of overwriting
      }
      committed.push({ path: to, kind });
    }
    for (let i = 0; i < input.schemaWrites.length; i++) {
      const w = input.schemaWrites[i]!;
      step({ kind: 'commit-schema', path: w.file });
      fs.renameSync(schemaTemps[i]!, w.file);
      schemaTemps[i] = '';
      schemaDone.push(w);
    }
    fsyncDir(dir);
  } catch (error) {
    rollback(committed, schemaDone, createdDirs);
    throw error;
  } finally {
    for (const temp of schemaTemps) if (temp) fs.rmSync(temp, { force: true });
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
  }
  return { created: committed.map((c) => c.path), schemaFiles: input.schemaWrites.map((w) => w.file) };
}

/** Best effort, in reverse order; a failure to undo one thing does not stop undoing the others. */
function rollback(committed: { path: string; kind: 'folder' | 'file' }[], schemaDone: SchemaWrite[], createdDirs: string[]): void {
  for (const w of [...schemaDone].reverse()) {
    try {
      const temp = `${w.file}.idxgen-undo-${process.pid}`;
      fs.rmSync(temp, { force: true });
      writeFileDurably(temp, w.before, fs.statSync(w.file).mode & 0o777);
      fs.renameSync(temp, w.file);
    } catch {
      // keep undoing the rest
    }
  }
  for (const c of [...committed].reverse()) {
    try {
      fs.rmSync(c.path, { recursive: c.kind === 'folder', force: true });
    } catch {
      // keep undoing the rest
    }
  }
  for (const d of [...createdDirs].reverse()) {
    try {
      fs.rmdirSync(d); // only if still empty
    } catch {
      // not empty or gone: leave it
    }
  }
}

function writeFileDurably(file: string, content: string, mode?: number): void {
  const fd = fs.openSync(file, 'wx', mode ?? 0o666);
  try {
    fs.writeFileSync(fd, content, 'utf8');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // not supported everywhere (and not needed for correctness, only durability)
  }
}

/**
 * One file written atomically (a temporary file beside it, then rename over it), for the files
 * idxgen keeps that are not migrations or schema (the `check --baseline` file).
 */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.idxgen-tmp-${process.pid}`);
  try {
    fs.writeFileSync(tmp, content, { flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
