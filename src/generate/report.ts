/**
 * What `generate` prints: the summary (text), the PR description (markdown), the dry-run
 * listing and the drift warning. Builds views of prepared strings; the wording is in
 * `templates/generate/*.hbs`. Pure.
 */
import type { PlanEntry } from '../plan/types';
import { stepFacts, type RecoverySql } from '../render/sql';
import { displayIdent } from '../sql/quote';
import { codeSpan, fence, markdownText } from '../report/markdown-escape';
import { lineCounts, unifiedDiff } from './diff';
import { renderGenerateTemplate } from './templates';
import type { GenerateResult, StepKind, StepRef } from './types';

export interface ReportContext {
  result: GenerateResult;
  /** The migrations folder as shown to the user (cwd-relative when below it). */
  migrationsDir: string;
  /** Schema file paths as shown to the user, by the path used in the result. */
  displayPath: (schemaFile: string) => string;
  dryRun: boolean;
}

/** Terminal-safe: control and bidirectional characters become visible `\u{…}` escapes. */
export function plain(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu,
    (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`,
  );
}

const VERB: Record<StepKind, string> = {
  extension: 'create extension',
  index: 'create index',
  check: 'add CHECK (NOT VALID)',
  validate: 'validate CHECK',
  drop: 'drop index',
};

/** `schema.table` / `name` as PostgreSQL prints them: quoted only when they need it. */
function displayTable(spec: { schema?: string; table: string }): string {
  return spec.schema ? `${displayIdent(spec.schema)}.${displayIdent(spec.table)}` : displayIdent(spec.table);
}

function stepText(step: StepRef): string {
  const spec = step.entry.spec;
  const table = displayTable(spec);
  if (step.kind === 'extension') {
    const ext = spec.kind === 'index' ? spec.extensions.join(', ') : '';
    return `${VERB.extension} ${ext} (for ${displayIdent(step.entry.name)})`;
  }
  const unique = spec.kind === 'index' && spec.unique ? 'create unique index' : VERB[step.kind];
  // A partitioned table's sequence: which table each step is on, and what it does there.
  const typed = step.entry.steps[step.stepIndex];
  if (typed?.kind === 'attach-index')
    return `attach index ${displayIdent(typed.name)} of ${displayTable(typed)} to ${displayIdent(typed.attachTo.name)}`;
  if (typed?.kind === 'create-index-only') {
    return `${unique} ${displayIdent(typed.name)} on only ${displayTable(typed.index)} (partitioned: ${typed.pending ? "valid after its partitions' indexes are attached" : 'no partitions, valid at once'})`;
  }
  if (typed?.kind === 'create-index' && typed.partitionOf)
    return `${unique} ${displayIdent(typed.name)} on partition ${displayTable(typed.index)}`;
  return `${unique} ${displayIdent(step.entry.name)} on ${table}`;
}

function entryTable(entry: PlanEntry): string {
  return displayTable(entry.spec);
}

function textView(ctx: ReportContext) {
  const r = ctx.result;
  const info = r.notSelected.filter((e) => e.severity === 'info').length;
  return {
    dryRun: ctx.dryRun,
    nothing: r.folders.length === 0 && r.schemaEdits.length === 0,
    migrationsDir: plain(ctx.migrationsDir),
    folderCount: r.folders.length,
    statements: r.statements,
    folders: r.folders.map((f) => ({ name: plain(f.name), steps: f.steps.map((s) => plain(stepText(s))) })),
    lockFile: r.lockFile ? plain(r.lockFile.path) : null,
    schemaFiles: r.schemaEdits.map((e) => ({ file: plain(ctx.displayPath(e.path)), ...lineCounts(e) })),
    declarationsAdded: r.declarationsAdded.length,
    declarationsRemoved: r.declarationsRemoved.length,
    previewFeatures: r.previewFeaturesAdded.length > 0 ? r.previewFeaturesAdded.map((f) => `"${f}"`).join(', ') : null,
    inMigrations: r.inMigrations.length,
    inMigrationsList: r.inMigrations.map((m) => ({
      name: plain(displayIdent(m.entry.name)),
      table: plain(entryTable(m.entry)),
      folder: plain(m.folder),
    })),
    skipped: r.skipped.map((s) => ({
      name: plain(displayIdent(s.entry.name)),
      table: plain(entryTable(s.entry)),
      reason: plain(s.reason),
    })),
    drift: r.drift.map((e) => plain(e.name)),
    infoNotSelected: info,
    onlyNotSelected: r.notSelected.length - info,
  };
}

/** The summary printed after writing (or, with dryRun, after the listing). */
export function renderSummary(ctx: ReportContext): string {
  return renderGenerateTemplate('summary.txt', textView(ctx));
}

/** The loud warning printed (to stderr) when --allow-drift wrote indexes Prisma cannot declare. */
export function renderDriftWarning(ctx: ReportContext): string {
  if (ctx.result.drift.length === 0) return '';
  return renderGenerateTemplate('drift-warning.txt', {
    entries: ctx.result.drift.map((e) => ({
      name: plain(displayIdent(e.name)),
      table: plain(entryTable(e)),
      folders: ctx.result.folders.filter((f) => f.steps.some((s) => s.entry === e)).map((f) => plain(f.name)),
    })),
  });
}

/** `--dry-run`: every file that would be written, then the schema diff, then the summary. */
export function renderDryRun(ctx: ReportContext): string {
  const r = ctx.result;
  const files = [...r.folders.flatMap((f) => f.files), ...(r.lockFile ? [r.lockFile] : [])].map((f) => ({
    path: plain(`${ctx.migrationsDir}/${f.path}`),
    content: f.content,
  }));
  const diffs = r.schemaEdits.map((e) => unifiedDiff(ctx.displayPath(e.path), e));
  return renderGenerateTemplate('dry-run.txt', { files, diffs, summary: renderSummary(ctx) });
}

/** `--format markdown`: a pull-request description (what, why, how to apply, how to roll back). */
export function renderMarkdown(ctx: ReportContext): string {
  const r = ctx.result;
  const dir = ctx.migrationsDir;
  const folders = r.folders.map((f) => ({
    name: codeSpan(f.name, true),
    statements: f.steps.map((s) => markdownText(stepText(s))).join('<br>'),
    tables: [...new Set(f.steps.map((s) => entryTable(s.entry)))].map((t) => codeSpan(t, true)).join(', '),
    why: [...new Set(f.steps.map((s) => s.entry.message.title))].map((t) => markdownText(t)).join('<br>'),
    locks: [...new Set(f.steps.map((s) => stepFacts(s.entry, s.stepIndex).lock))]
      .map((t) => markdownText(t))
      .join('<br>'),
  }));
  // The recovery SQL of every folder, one fenced block each (U& escapes keep every statement on one line).
  const recovery = r.folders
    .map((f) => ({
      name: codeSpan(f.name, true),
      sql: f.steps.flatMap((s) => recoveryLines(stepFacts(s.entry, s.stepIndex).recovery)),
    }))
    .filter((f) => f.sql.length > 0)
    .map((f) => ({ name: f.name, sql: fence(f.sql.join('\n'), 'sql') }));
  const entries = r.generated.map((e) => ({
    title: markdownText(e.message.title),
    name: codeSpan(e.name),
    cost: e.message.cost ? markdownText(e.message.cost) : null,
    instead: e.message.instead ? markdownText(e.message.instead) : null,
    serves: e.message.serves ? codeSpan(e.message.serves) : null,
    evidence: e.evidence.map((x) => markdownText(x)),
    drift: e.declaration.kind === 'none' && e.declaration.drift,
  }));
  const rollback = [...r.folders]
    .reverse()
    .map((f) => `npx prisma db execute --file ${shellWord(`${dir}/${f.name}/down.sql`)}`)
    .join('\n');
  const example = r.folders[r.folders.length - 1];
  return renderGenerateTemplate('summary.md', {
    nothing: r.folders.length === 0 && r.schemaEdits.length === 0,
    inMigrations: r.inMigrations.length,
    folderCount: r.folders.length,
    statements: r.statements,
    migrationsDir: codeSpan(dir),
    folders,
    recovery,
    entries,
    schemaDiffs: r.schemaEdits.map((e) => fence(unifiedDiff(ctx.displayPath(e.path), e), 'diff')),
    previewFeatures:
      r.previewFeaturesAdded.length > 0 ? r.previewFeaturesAdded.map((f) => codeSpan(`"${f}"`)).join(', ') : null,
    skipped: r.skipped.map((s) => ({ name: codeSpan(s.entry.name), reason: markdownText(s.reason) })),
    drift: r.drift.map((e) => codeSpan(e.name)),
    rollback: r.folders.length > 0 ? fence(rollback, 'sh') : null,
    resolveExample: example ? fence(`npx prisma migrate resolve --rolled-back ${shellWord(example.name)}`, 'sh') : null,
  });
}

/** Recovery SQL as lines of a `sql` block, each with a `--` line that says when to run it. */
function recoveryLines(r: RecoverySql): string[] {
  const out: string[] = [];
  if (r.findInvalid) out.push('-- after a failed build: is the index left INVALID?', `${r.findInvalid};`);
  if (r.dropInvalid) out.push('-- if so, drop it (outside a transaction) before the next deploy', `${r.dropInvalid};`);
  if (r.duplicates) out.push('-- a UNIQUE build fails on duplicate keys: find them', `${r.duplicates};`);
  if (r.violations) out.push('-- VALIDATE failed (23514): the rows that break the rule', `${r.violations};`);
  if (r.createExtension) out.push('-- permission denied: a database owner runs', `${r.createExtension};`);
  return out;
}

/** A path or name as one POSIX shell word (single-quoted unless plainly safe). */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
