/**
 * THE one place idxgen writes to the file system. All or nothing, also when the process is
 * interrupted or killed:
 *
 *   1. stage: every new migration folder (and migration_lock.toml) is written into a temporary
 *      folder `.idxgen-staging-<pid>-*` beside the migrations folder (same parent, so the same file
 *      system and rename() is atomic); every schema file is written to `<file>.idxgen-tmp-<pid>`
 *      beside itself, and its current text is kept in the staging folder;
 *   2. journal: `commit.json` in the staging folder lists what the commit will move and the
 *      schema files' before/after hashes. It is written (and synced) before the first move;
 *   3. commit: the staged folders are renamed into the migrations folder one by one, then the
 *      lock file is linked in (link() never overwrites), then each schema file is renamed over
 *      the original; finally the staging folder is removed;
 *   4. on any error (an interrupt is one: the `beforeStep` hook throws), everything committed so
 *      far is undone, the staging area and temp files are removed, and the error is re-thrown.
 *
 * A process killed (SIGKILL, power cut of the process) in the middle leaves a staging folder
 * and maybe temp files; `recoverInterrupted` (called by the next `generate`) reads the journal and
 * completes the commit when every schema file already has its new text, else rolls it back, and
 * removes the leftovers, one note per thing it did. Folders are not fsynced one by one (9,500
 * fsyncs took minutes on 5,000 models); the schema file and the journal are.
 *
 * Existing migration folders are never opened for writing: a target name that already exists
 * aborts before anything is committed. `hooks.beforeStep` (tests, interrupts) runs before each
 * change and may throw; the writer yields to the event loop between steps so signal handlers run.
 */
import { createHash } from 'node:crypto';
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
  | { kind: 'journal'; path: string }
  | { kind: 'commit-folder'; path: string }
  | { kind: 'commit-file'; path: string }
  | { kind: 'commit-schema'; path: string }
  | { kind: 'cleanup'; path: string };

export interface WriteHooks {
  /** Called before each file system change; throwing aborts (and rolls back) the write. */
  beforeStep?: (step: WriteStep) => unknown;
}

export interface WriteTreeResult {
  /** Absolute paths of the folders and top-level files created in the migrations folder. */
  created: string[];
  /** Absolute paths of the schema files rewritten. */
  schemaFiles: string[];
}

const STAGING_PREFIX = '.idxgen-staging-';
const JOURNAL = 'commit.json';
const TEMP_INFIX = '.idxgen-tmp-';
const UNDO_INFIX = '.idxgen-undo-';

/** What the commit of one run moves; written before the first move (see recoverInterrupted). */
interface Journal {
  pid: number;
  migrationsDir: string;
  /** Top-level names moved into the migrations folder, in commit order. */
  entries: { name: string; kind: 'folder' | 'file' }[];
  schema: { file: string; temp: string; beforeCopy: string; beforeSha: string; afterSha: string }[];
}

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
  if (
    rel === '' ||
    path.isAbsolute(rel) ||
    parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\u0000'))
  ) {
    throw new Error(`write-tree: unsafe relative path ${JSON.stringify(rel)}`);
  }
  return parts;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
/** Lets signal handlers (and other callbacks) run between two steps. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function writeTree(input: WriteTreeInput, hooks: WriteHooks = {}): Promise<WriteTreeResult> {
  const step = async (s: WriteStep) => {
    await yieldToLoop();
    await hooks.beforeStep?.(s);
  };
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
    if (fs.existsSync(path.join(dir, name)))
      throw new WriteRefused(path.join(dir, name), 'already exists; existing migrations are never touched');
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
    // The migrations folder (and any missing parent) first: the staging area lives in its parent.
    const missing: string[] = [];
    if (input.files.length > 0) for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
    for (const d of missing) {
      await step({ kind: 'mkdir', path: d });
      fs.mkdirSync(d);
      createdDirs.push(d);
    }
    const stagingParent = input.files.length > 0 ? parent : path.dirname(input.schemaWrites[0]?.file ?? parent);
    await step({ kind: 'mkdir', path: path.join(stagingParent, `${STAGING_PREFIX}${process.pid}-*`) });
    staging = fs.mkdtempSync(path.join(stagingParent, `${STAGING_PREFIX}${process.pid}-`));
    const tree = path.join(staging, 'tree');
    for (const file of input.files) {
      const target = path.join(tree, ...checkRelative(file.path));
      await step({ kind: 'write', path: target });
      fs.mkdirSync(path.dirname(target), { recursive: true });
      writeNewFile(target, file.content, false);
    }
    const journal: Journal = {
      pid: process.pid,
      migrationsDir: dir,
      entries: [...tops].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, kind]) => ({ name, kind })),
      schema: [],
    };
    for (const [i, w] of input.schemaWrites.entries()) {
      const temp = `${w.file}${TEMP_INFIX}${process.pid}`;
      const beforeCopy = path.join(staging, `schema-${i}.before`);
      await step({ kind: 'write', path: temp });
      fs.rmSync(temp, { force: true }); // a leftover of a killed run with the same pid
      schemaTemps.push(temp);
      writeNewFile(temp, w.after, true, fs.statSync(w.file).mode & 0o777);
      writeNewFile(beforeCopy, w.before, true);
      journal.schema.push({ file: w.file, temp, beforeCopy, beforeSha: sha(w.before), afterSha: sha(w.after) });
    }
    await step({ kind: 'journal', path: path.join(staging, JOURNAL) });
    writeNewFile(path.join(staging, JOURNAL), JSON.stringify(journal), true);

    // Commit.
    for (const { name, kind } of journal.entries) {
      const from = path.join(tree, name);
      const to = path.join(dir, name);
      if (kind === 'folder') {
        await step({ kind: 'commit-folder', path: to });
        if (fs.existsSync(to)) throw new WriteRefused(to, 'appeared while idxgen was writing');
        fs.renameSync(from, to);
      } else {
        await step({ kind: 'commit-file', path: to });
        fs.linkSync(from, to); // fails with EEXIST instead of overwriting
      }
      committed.push({ path: to, kind });
    }
    for (let i = 0; i < input.schemaWrites.length; i++) {
      const w = input.schemaWrites[i]!;
      await step({ kind: 'commit-schema', path: w.file });
      fs.renameSync(schemaTemps[i]!, w.file);
      schemaTemps[i] = '';
      schemaDone.push(w);
    }
    fsyncDir(dir);
    await step({ kind: 'cleanup', path: staging });
  } catch (error) {
    rollback(committed, schemaDone, createdDirs);
    throw error;
  } finally {
    for (const temp of schemaTemps) if (temp) fs.rmSync(temp, { force: true });
    if (staging) removeStaging(staging);
  }
  return { created: committed.map((c) => c.path), schemaFiles: input.schemaWrites.map((w) => w.file) };
}

/** The journal first: a staging folder without one never committed anything. */
function removeStaging(staging: string): void {
  fs.rmSync(path.join(staging, JOURNAL), { force: true });
  fs.rmSync(staging, { recursive: true, force: true });
}

/** Best effort, in reverse order; a failure to undo one thing does not stop undoing the others. */
function rollback(
  committed: { path: string; kind: 'folder' | 'file' }[],
  schemaDone: SchemaWrite[],
  createdDirs: string[],
): void {
  for (const w of [...schemaDone].reverse()) {
    try {
      restoreFile(w.file, w.before);
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

/** Puts `content` back into `file` atomically (temp + rename), keeping its mode. */
function restoreFile(file: string, content: string): void {
  const temp = `${file}${UNDO_INFIX}${process.pid}`;
  fs.rmSync(temp, { force: true });
  writeNewFile(temp, content, true, fs.statSync(file).mode & 0o777);
  fs.renameSync(temp, file);
}

function writeNewFile(file: string, content: string, sync: boolean, mode?: number): void {
  const fd = fs.openSync(file, 'wx', mode ?? 0o666);
  try {
    fs.writeFileSync(fd, content, 'utf8');
    if (sync) fs.fsyncSync(fd);
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

/** One thing `recoverInterrupted` did (or left alone), for a one-line report. */
export interface RecoveryNote {
  action: 'completed' | 'rolled-back' | 'removed' | 'left';
  /** What it was about (a staging folder or a temp file), absolute. */
  path: string;
  /** The interrupted run's process id. */
  pid: number;
  /** Absolute paths it moved in or removed / schema files it restored (for the message). */
  folders: string[];
  schemaFiles: string[];
  reason?: string;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readJournal(staging: string): Journal | undefined {
  try {
    const j = JSON.parse(fs.readFileSync(path.join(staging, JOURNAL), 'utf8')) as Journal;
    return typeof j.pid === 'number' && Array.isArray(j.entries) && Array.isArray(j.schema) ? j : undefined;
  } catch {
    return undefined;
  }
}

function fileSha(file: string): string | undefined {
  try {
    return sha(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Finds what a killed `generate` left (staging folders beside the migrations folder or beside the
 * schema files, `*.idxgen-tmp-<pid>` / `*.idxgen-undo-<pid>` beside the schema files) and, unless
 * `dryRun`, finishes the job: with a journal, a commit whose schema files all have their new text
 * is completed (the folders still staged are moved in), any other is rolled back (folders it
 * moved in removed, schema files it replaced restored); a staging folder without a journal never
 * committed anything and is removed. Leftovers of a process that is still running, or a schema
 * file changed since, are left alone and reported.
 */
export function recoverInterrupted(opts: {
  migrationsDir: string;
  schemaFiles: readonly string[];
  dryRun?: boolean;
}): RecoveryNote[] {
  const dir = path.resolve(opts.migrationsDir);
  const places = [...new Set([path.dirname(dir), ...opts.schemaFiles.map((f) => path.dirname(path.resolve(f)))])];
  const notes: RecoveryNote[] = [];
  const handledTemps = new Set<string>();
  for (const place of places) {
    let names: string[];
    try {
      names = fs.readdirSync(place);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => n.startsWith(STAGING_PREFIX)).sort()) {
      const staging = path.join(place, name);
      const pid = Number(/^(\d+)-/.exec(name.slice(STAGING_PREFIX.length))?.[1] ?? NaN);
      const journal = readJournal(staging);
      const owner = journal?.pid ?? pid;
      if (Number.isFinite(owner) && isAlive(owner)) {
        notes.push({
          action: 'left',
          path: staging,
          pid: owner,
          folders: [],
          schemaFiles: [],
          reason: 'its generate is still running',
        });
        continue;
      }
      for (const s of journal?.schema ?? []) handledTemps.add(s.temp);
      const note = journal
        ? finishJournal(staging, journal, opts.dryRun === true)
        : { action: 'removed' as const, path: staging, pid: owner, folders: [], schemaFiles: [] };
      if (!opts.dryRun && note.action !== 'left') {
        for (const s of journal?.schema ?? []) fs.rmSync(s.temp, { force: true });
        removeStaging(staging);
      }
      notes.push(note);
    }
  }
  // Temp files of a run killed before its journal existed (or whose staging folder is gone).
  for (const file of [...new Set(opts.schemaFiles.map((f) => path.resolve(f)))]) {
    let names: string[];
    try {
      names = fs.readdirSync(path.dirname(file));
    } catch {
      continue;
    }
    const base = path.basename(file);
    for (const name of names.sort()) {
      const m = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(${TEMP_INFIX}|${UNDO_INFIX})(\\d+)$`).exec(
        name,
      );
      const temp = path.join(path.dirname(file), name);
      if (!m || handledTemps.has(temp)) continue;
      const pid = Number(m[2]);
      if (isAlive(pid)) continue;
      if (!opts.dryRun) fs.rmSync(temp, { force: true });
      notes.push({ action: 'removed', path: temp, pid, folders: [], schemaFiles: [] });
    }
  }
  return notes;
}

function finishJournal(staging: string, journal: Journal, dryRun: boolean): RecoveryNote {
  const dir = journal.migrationsDir;
  const states = journal.schema.map((s) => {
    const now = fileSha(s.file);
    return now === s.afterSha ? 'after' : now === s.beforeSha ? 'before' : 'other';
  });
  const base = { path: staging, pid: journal.pid };
  const changed = journal.schema.filter((_, i) => states[i] === 'other').map((s) => s.file);
  if (changed.length > 0)
    return {
      ...base,
      action: 'left',
      folders: [],
      schemaFiles: changed,
      reason: 'the schema changed since; resolve by hand',
    };
  if (states.every((s) => s === 'after')) {
    // Every schema file has its new text: the commit got that far, so the folders belong with it.
    const moved: string[] = [];
    for (const { name, kind } of journal.entries) {
      const from = path.join(staging, 'tree', name);
      const to = path.join(dir, name);
      if (fs.existsSync(to) || !fs.existsSync(from)) continue;
      moved.push(to);
      if (dryRun) continue;
      if (kind === 'folder') fs.renameSync(from, to);
      else fs.linkSync(from, to);
    }
    return { ...base, action: 'completed', folders: moved, schemaFiles: [] };
  }
  // Roll back: schema files first (they decide which way a later recovery goes), then folders.
  const restored: string[] = [];
  for (const [i, s] of journal.schema.entries()) {
    if (states[i] !== 'after') continue;
    restored.push(s.file);
    if (!dryRun) restoreFile(s.file, fs.readFileSync(s.beforeCopy, 'utf8'));
  }
  const removed: string[] = [];
  for (const { name, kind } of [...journal.entries].reverse()) {
    const from = path.join(staging, 'tree', name);
    const to = path.join(dir, name);
    // Moved in by that run: it is no longer staged (a lock file is linked, so compare inodes).
    const movedIn = kind === 'folder' ? fs.existsSync(to) && !fs.existsSync(from) : sameFile(from, to);
    if (!movedIn) continue;
    removed.push(to);
    if (!dryRun) fs.rmSync(to, { recursive: kind === 'folder', force: true });
  }
  return { ...base, action: 'rolled-back', folders: removed.reverse(), schemaFiles: restored };
}

function sameFile(a: string, b: string): boolean {
  try {
    const x = fs.statSync(a);
    const y = fs.statSync(b);
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
}
