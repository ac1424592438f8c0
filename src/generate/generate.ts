/**
 * plan + what the migrations folder already holds → the migration folders to write, the schema
 * edits, and what was left out and why. Pure: no file system, no clock (the timestamp is an
 * input), so the same inputs give byte-identical output.
 *
 * Order of decisions for each selected plan entry:
 *   1. a declaration the project's Prisma version cannot take (src/compat/prisma-version.ts) → skipped;
 *      one Prisma needs a preview feature for → only with --preview-features;
 *   2. drift Prisma cannot declare (INCLUDE) → only with --allow-drift;
 *   3. each SQL step whose effect an existing migration (or an earlier step of this run, e.g. a
 *      shared CREATE EXTENSION) already has is not written again;
 *   4. the declaration goes into the schema, even when the migrations already hold the index
 *      (the plan only lists entries the schema does not declare yet).
 */
import { UserError, type Diagnostic } from '../errors';
import { tableNamed } from '../model/table-lookup';
import type { Table } from '../model/types';
import type { PlanEntry } from '../plan/types';
import { commentSqlQualified } from '../render/comment';
import { renderMigrationFile } from '../render/sql';
import { unsupportedIndex } from '../compat/prisma-version';
import { loadSchema } from '../schema/load';
import type { SchemaSource } from '../schema/source';
import { stepEffects } from '../plan/steps';
import {
  alreadyDone,
  applyEffects,
  objectKey,
  replayMigrations,
  type Effect,
  type MigrationState,
} from './migration-sql';
import { folderName, slugify } from './naming';
import { editSchema, hasGenerator, type AddAttribute, type RemoveAttribute } from './schema-edit';
import { selectEntries, validateOnly } from './select';
import { renderGenerateTemplate } from './templates';
import { addSeconds, firstTimestamp, parseTimestamp } from './timestamp';
import type { GenerateInput, GenerateResult, PlannedFolder, Skipped, StepKind, StepRef } from './types';

export const LOCK_FILE = 'migration_lock.toml';
const THIS_RUN = '(this run)';

/** What a step does (the folder it goes in), from its effects. */
export function stepKind(effects: readonly Effect[]): StepKind | undefined {
  const last = effects[effects.length - 1];
  if (!last) return undefined;
  if (last.kind === 'extension') return 'extension';
  if (last.kind === 'constraint') return last.action === 'validate' ? 'validate' : 'check';
  return last.present ? 'index' : 'drop';
}

function tableKey(schema: string | undefined, table: string): string {
  return `${schema ?? ''}\u0000${table}`;
}

function findTable(input: GenerateInput, entry: PlanEntry): Table | undefined {
  return tableNamed(input.model.tables, entry.spec.table, entry.spec.schema);
}

/** The readable part of a step's folder name. */
function stepSlug(step: StepRef, effects: readonly Effect[]): string {
  const spec = step.entry.spec;
  const table = spec.schema ? [spec.schema, spec.table] : [spec.table];
  switch (step.kind) {
    case 'extension':
      return slugify(['extension', ...effects.filter((e) => e.kind === 'extension').map((e) => e.name)]);
    case 'drop':
      return slugify(['drop', step.entry.name]);
    case 'check':
    case 'validate': {
      const columns = spec.kind === 'check' ? spec.columns : [];
      return slugify([step.kind, ...table, ...columns]);
    }
    case 'index': {
      if (spec.kind !== 'index') return slugify(['idx', ...table]);
      // What sets it apart from a plain btree on the same columns, so that names stay distinct.
      const traits = [
        spec.method === 'btree' ? '' : spec.method,
        spec.where !== undefined ? 'partial' : '',
        spec.include.length > 0 ? 'include' : '',
      ];
      const columns = spec.columns.map((c) => c.column);
      // A partitioned table's sequence: which table each step is on, and what it does there.
      const typed = step.entry.steps[step.stepIndex];
      if (typed?.kind === 'attach-index') return slugify(['attach', typed.table, ...columns, ...traits]);
      if (typed?.kind === 'create-index-only')
        return slugify([spec.unique ? 'unique' : 'idx', typed.index.table, ...columns, ...traits, 'on_only']);
      if (typed?.kind === 'create-index' && typed.partitionOf)
        return slugify([spec.unique ? 'unique' : 'idx', typed.index.table, ...columns, ...traits]);
      return slugify([spec.unique ? 'unique' : 'idx', ...table, ...columns, ...traits]);
    }
  }
}

interface FolderDraft {
  slug: string;
  steps: StepRef[];
  /** Set for --group table folders: the table the statements are on. */
  group?: { schema?: string; table: string };
}

function draftFolders(
  steps: StepRef[],
  effectsOf: Map<StepRef, Effect[]>,
  group: GenerateInput['options']['group'],
): FolderDraft[] {
  if (group === 'statement')
    return steps.map((step) => ({ slug: stepSlug(step, effectsOf.get(step)!), steps: [step] }));
  // --group table: per table (in plan order) its extensions first (database-wide, one folder
  // each), then one folder with every other statement, then one with the CHECK validations, so
  // that a VALIDATE failing on old rows leaves the rest applied and the constraint NOT VALID.
  const order: string[] = [];
  const byTable = new Map<string, StepRef[]>();
  for (const step of steps) {
    const key = tableKey(step.entry.spec.schema, step.entry.spec.table);
    if (!byTable.has(key)) {
      byTable.set(key, []);
      order.push(key);
    }
    byTable.get(key)!.push(step);
  }
  const drafts: FolderDraft[] = [];
  for (const key of order) {
    const tableSteps = byTable.get(key)!;
    const { schema, table } = tableSteps[0]!.entry.spec;
    const names = schema ? [schema, table] : [table];
    for (const step of tableSteps.filter((s) => s.kind === 'extension'))
      drafts.push({ slug: stepSlug(step, effectsOf.get(step)!), steps: [step] });
    const main = tableSteps.filter((s) => s.kind !== 'extension' && s.kind !== 'validate');
    const validate = tableSteps.filter((s) => s.kind === 'validate');
    if (main.length > 0) drafts.push({ slug: slugify(['indexes', ...names]), steps: main, group: { schema, table } });
    if (validate.length > 0)
      drafts.push({ slug: slugify(['validate', ...names]), steps: validate, group: { schema, table } });
  }
  return drafts;
}

function folderFiles(draft: FolderDraft, name: string): PlannedFolder['files'] {
  const rendered = draft.steps.map((s) => renderMigrationFile(s.entry, s.stepIndex));
  if (!draft.group) {
    return [
      { path: `${name}/migration.sql`, content: rendered[0]!.up },
      { path: `${name}/down.sql`, content: rendered[0]!.down },
    ];
  }
  const tableText = commentSqlQualified(draft.group.table, draft.group.schema);
  const header = (up: boolean) => renderGenerateTemplate('group-header.sql', { up, count: rendered.length, tableText });
  return [
    { path: `${name}/migration.sql`, content: [header(true), ...rendered.map((r) => r.up)].join('\n') },
    { path: `${name}/down.sql`, content: [header(false), ...rendered.map((r) => r.down).reverse()].join('\n') },
  ];
}

/** Folder names sort after every existing folder; throws when an existing name defeats that. */
function timestamps(input: GenerateInput, count: number): string[] {
  if (!parseTimestamp(input.timestamp))
    throw new UserError(`timestamp ${JSON.stringify(input.timestamp)} is not YYYYMMDDHHMMSS (UTC)`);
  const first = firstTimestamp(
    input.timestamp,
    input.existing.folders.map((f) => f.name),
  );
  return Array.from({ length: count }, (_, i) => addSeconds(first, i));
}

/**
 * Why an entry's plain CONCURRENTLY step cannot run: the project's own migrations create its table
 * PARTITION BY, and CREATE (or DROP) INDEX CONCURRENTLY fails on a partitioned table (0A000). With
 * --database-url the plan holds the ON ONLY sequence instead (src/plan/partitions.ts), and this is
 * undefined.
 */
function partitionedByMigrations(entry: PlanEntry, state: MigrationState): string | undefined {
  const plain = entry.steps.some(
    (s) => (s.kind === 'create-index' && s.partitionOf === undefined) || s.kind === 'drop-index',
  );
  const created = state.get(objectKey('partitioned-table', entry.spec.table));
  if (!plain || !created?.present) return undefined;
  return `"${entry.spec.table}" is partitioned (${created.folder}/migration.sql creates it with PARTITION BY), and CREATE or DROP INDEX CONCURRENTLY fails on a partitioned table (0A000): the folder would fail at deploy. Rerun with --database-url: generate then reads its partitions and writes the index ON ONLY the table, one CONCURRENTLY build per partition and the attaches`;
}

export function planGeneration(input: GenerateInput): GenerateResult {
  const { options } = input;
  validateOnly(options.only, input.ruleIds, input.model);
  const { selected, notSelected } = selectEntries(input.plan.entries, options);
  const state = replayMigrations(input.existing.folders);

  const skipped: Skipped[] = [];
  const drift: PlanEntry[] = [];
  const generated: PlanEntry[] = [];
  const inMigrations: GenerateResult['inMigrations'] = [];
  const steps: StepRef[] = [];
  const effectsOf = new Map<StepRef, Effect[]>();
  const add: (AddAttribute & { entry: PlanEntry })[] = [];
  const remove: (RemoveAttribute & { entry: PlanEntry })[] = [];
  const features = new Set<string>();
  const generatorAvailable = hasGenerator(input.sources);

  type Gate = { kind: 'ok' } | { kind: 'drift' } | { kind: 'skip'; code: Skipped['code']; reason: string };
  /** Whether the entry may be generated with the flags given (and what its declaration needs). */
  const gateOf = (entry: PlanEntry, table: Table | undefined): Gate => {
    const declaration = entry.declaration;
    if (declaration.kind === 'none') {
      if (!declaration.drift) return { kind: 'ok' };
      return options.allowDrift
        ? { kind: 'drift' }
        : {
            kind: 'skip',
            code: 'drift',
            reason: `${declaration.reason} Rerun with --allow-drift to generate it anyway.`,
          };
    }
    if (declaration.kind !== 'attribute') return { kind: 'ok' };
    const unsupported =
      input.prisma && entry.spec.kind === 'index' ? unsupportedIndex(input.prisma, entry.spec) : undefined;
    if (unsupported)
      return {
        kind: 'skip',
        code: 'needs-newer-prisma',
        reason: `its declaration cannot be written for this project: ${unsupported}`,
      };
    if (!table || table.kind !== 'model') {
      return {
        kind: 'skip',
        code: 'not-declarable',
        reason: `"${entry.spec.table}" has no model block in the schema to declare ${entry.name} in (an implicit many-to-many table or a view): Prisma would treat the index as drift`,
      };
    }
    const missing = declaration.previewFeatures.filter((f) => !input.model.previewFeatures.includes(f));
    if (missing.length === 0) return { kind: 'ok' };
    const list = missing.map((f) => `"${f}"`).join(', ');
    if (!generatorAvailable) {
      return {
        kind: 'skip',
        code: 'needs-preview-feature',
        reason: `its declaration needs the preview feature ${list}, and the schema has no generator block to enable it in`,
      };
    }
    if (!options.previewFeatures) {
      return {
        kind: 'skip',
        code: 'needs-preview-feature',
        reason: `its declaration needs the preview feature ${list} (without it Prisma cannot see the index and its next migration would drop it): rerun with --preview-features to add ${list} to the generator`,
      };
    }
    for (const f of missing) features.add(f);
    return { kind: 'ok' };
  };
  const declare = (entry: PlanEntry, table: Table | undefined) => {
    const declaration = entry.declaration;
    if (declaration.kind === 'attribute') add.push({ entry, table: table!, attribute: declaration.attribute });
    else if (declaration.kind === 'drop-attribute')
      remove.push({ entry, span: declaration.span, attribute: declaration.attribute });
  };

  for (const entry of selected) {
    const table = findTable(input, entry);
    // What the migrations (and the steps planned so far in this run) already hold: each typed
    // step's effect, compared with the replayed migrations (never by reading the SQL rendered for it).
    const effectsOfSteps = entry.steps.map(stepEffects);
    const done = effectsOfSteps.map((effects) => alreadyDone(state, effects));
    const gate = gateOf(entry, table);
    if (done.every((d) => d !== undefined)) {
      // Nothing left to run: not "skipped", whatever the flags. The declaration still follows
      // the same consent rules (it needs the preview feature, or there is none to write).
      inMigrations.push({ entry, folder: done.filter((d) => d !== THIS_RUN).pop() ?? THIS_RUN });
      if (gate.kind === 'ok') declare(entry, table);
      continue;
    }
    if (gate.kind === 'skip') {
      skipped.push({ entry, code: gate.code, reason: gate.reason });
      continue;
    }
    const partitioned = partitionedByMigrations(entry, state);
    if (partitioned) {
      skipped.push({ entry, code: 'partitioned', reason: partitioned });
      continue;
    }
    if (gate.kind === 'drift') drift.push(entry);
    effectsOfSteps.forEach((effects, stepIndex) => {
      // Re-checked: an earlier step of this entry may have done it (never in practice, but cheap).
      if (alreadyDone(state, effects) !== undefined) return;
      const step: StepRef = { entry, stepIndex, kind: stepKind(effects) ?? 'index' };
      steps.push(step);
      effectsOf.set(step, effects);
      applyEffects(state, effects, THIS_RUN);
    });
    generated.push(entry);
    declare(entry, table);
  }

  const drafts = draftFolders(steps, effectsOf, options.group);
  const stamps = timestamps(input, drafts.length);
  const folders: PlannedFolder[] = drafts.map((draft, i) => {
    const name = folderName(stamps[i]!, draft.slug);
    return { name, steps: draft.steps, files: folderFiles(draft, name) };
  });
  const newest = input.existing.folders
    .map((f) => f.name)
    .sort()
    .pop();
  if (folders.length > 0 && newest !== undefined && folders[0]!.name <= newest) {
    throw new UserError(
      `existing migration folder "${newest}" sorts after any timestamped name idxgen can write, so Prisma would apply the new folders before it. Rename it to the <YYYYMMDDHHMMSS>_<name> pattern first.`,
    );
  }

  const previewFeaturesAdded = [...features].sort();
  const schemaEdits = editSchema({
    sources: input.sources,
    add,
    remove,
    previewFeatures: previewFeaturesAdded,
    generatorSpan: input.model.generatorSpan,
  });
  let projectValidatorNotes: string[] = [];
  if (schemaEdits.length > 0) {
    const edited = input.sources.map((s) => ({
      path: s.path,
      content: schemaEdits.find((e) => e.path === s.path)?.after ?? s.content,
    }));
    // The project's validator first: where it runs on a thread of its own, it checks the edited
    // files while this one checks them with Prisma 7.
    const project = projectValidation(input, edited);
    checkEditedSchema(input, edited, add, remove);
    if (project) projectValidatorNotes = checkWithProjectValidator(input, project);
  }

  return {
    folders,
    lockFile:
      folders.length > 0 && !input.existing.hasLockFile
        ? { path: LOCK_FILE, content: renderGenerateTemplate('migration_lock.toml', {}) }
        : undefined,
    schemaEdits,
    generated,
    inMigrations,
    skipped,
    drift,
    notSelected,
    previewFeaturesAdded,
    declarationsAdded: add.map((a) => ({ entry: a.entry, file: a.table.closeSpan.file, attribute: a.attribute })),
    declarationsRemoved: remove.map((r) => ({ entry: r.entry, file: r.span.file, attribute: r.attribute })),
    statements: steps.length,
    projectValidatorNotes,
  };
}

/** The project's own Prisma validator, begun on `sources`: call the result for its diagnostics. */
function projectValidation(input: GenerateInput, sources: SchemaSource[]): (() => Diagnostic[]) | undefined {
  if (input.startProjectValidation) return input.startProjectValidation(sources);
  const validate = input.validateForProject;
  return validate && (() => validate(sources));
}

/**
 * The edited files, exactly as they will be written, through the project's own Prisma validator
 * (`edited`, begun by projectValidation). An error the unedited schema does not have is idxgen's (a
 * bug: nothing is written); errors the schema already had are the project's own and are returned
 * as notes.
 */
function checkWithProjectValidator(input: GenerateInput, edited: () => Diagnostic[]): string[] {
  const after = edited();
  if (after.length === 0) return [];
  const unedited = projectValidation(
    input,
    input.sources.map((s) => ({ path: s.path, content: s.content })),
  );
  const before = new Set((unedited?.() ?? []).map((d) => d.message));
  const ours = after.filter((d) => !before.has(d.message));
  if (ours.length > 0) {
    throw new Error(
      `idxgen bug: the edited schema does not validate with this project's Prisma: ${ours.map((d) => `${d.file ?? ''}:${d.line ?? ''}: ${d.message}`).join('; ')}`,
    );
  }
  return after.map((d) => `${d.file ?? ''}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}`);
}

/**
 * The edited schema must still be valid for Prisma and must declare exactly what was added and
 * no longer declare what was removed. A failure here is a bug in idxgen, never written to disk.
 */
function checkEditedSchema(
  input: GenerateInput,
  sources: SchemaSource[],
  add: readonly (AddAttribute & { entry: PlanEntry })[],
  remove: readonly (RemoveAttribute & { entry: PlanEntry })[],
): void {
  let model;
  try {
    model = loadSchema(sources, input.cache, input.startValidation).model;
  } catch (error) {
    throw new Error(
      `idxgen bug: the edited schema does not validate: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const declared = (schema: string | undefined, table: string, name: string) => {
    const t = tableNamed(model.tables, table, schema);
    return (
      t !== undefined &&
      [...(t.primaryKey ? [t.primaryKey] : []), ...t.uniques, ...t.indexes].some((d) => d.name === name)
    );
  };
  for (const a of add) {
    if (!declared(a.entry.spec.schema, a.entry.spec.table, a.entry.name))
      throw new Error(`idxgen bug: ${a.attribute} did not end up declared on ${a.entry.spec.table}`);
  }
  for (const r of remove) {
    if (declared(r.entry.spec.schema, r.entry.spec.table, r.entry.name))
      throw new Error(`idxgen bug: ${r.attribute} is still declared on ${r.entry.spec.table}`);
  }
}
