/**
 * What the migrations folder already holds, as the plan sees it: one fact shared by `plan`, `check`
 * and `generate` (which writes nothing for a step an existing migration already has). Read with the
 * same replay (src/generate/migration-sql.ts) so the three commands agree.
 *
 * A CHECK constraint has no declaration in schema.prisma: once a migration creates it, nothing is
 * left to do, so it leaves the plan ("already created by migration X") and `check` stops reporting
 * it. An index that a migration creates but the schema does not declare stays: its declaration is
 * still missing (Prisma would drop the index as drift).
 */
import { alreadyDone, replayMigrations, type MigrationState } from '../generate/migration-sql';
import { stepEffects } from './steps';
import type { Plan, PlanEntry } from './types';

/** A migration folder as read from disk (generate's ExistingFolder). */
type Folder = { name: string; sql: string; file?: string };

/** Entries only the migrations can settle: nothing to declare in the schema (CHECK constraints). */
function settleable(entry: PlanEntry): boolean {
  return entry.declaration.kind === 'none' && !entry.declaration.drift;
}

/**
 * Whether reading the migrations folder can change this plan, among the entries `relevant` keeps
 * (`check --level error` does not report CHECK constraints, so it reads nothing more).
 */
export function needsMigrations(plan: Plan, relevant: (entry: PlanEntry) => boolean = () => true): boolean {
  return plan.entries.some((e) => settleable(e) && relevant(e));
}

/**
 * The replayed state of the folders that can matter to this plan: those whose SQL names one of
 * the settleable entries' objects or tables (a DROP TABLE names only the table). Same answer as
 * replaying every folder for these entries, without tokenizing unrelated files.
 */
export function migrationStateFor(plan: Plan, folders: readonly Folder[]): MigrationState {
  return replayMigrations(foldersFor(plan, folders));
}

/**
 * The folders `migrationStateFor` replays: those whose text names a settleable entry, or its table
 * (a DROP TABLE names only the table). None when no folder names an entry: then no migration
 * created one, whatever other folders do to their tables, and nothing needs parsing.
 */
export function foldersFor(plan: Plan, folders: readonly Folder[]): Folder[] {
  const entries = plan.entries.filter(settleable);
  const names = entries.map((e) => e.name.replace(/"/g, '""'));
  if (!folders.some((f) => names.some((n) => f.sql.includes(n)))) return [];
  const words = [...names, ...entries.map((e) => e.spec.table.replace(/"/g, '""'))];
  return folders.filter((f) => words.some((w) => f.sql.includes(w)));
}

/** The folder whose migration already did every step of the entry, or undefined. */
export function heldByMigrations(entry: PlanEntry, state: MigrationState): string | undefined {
  let folder: string | undefined;
  for (const step of entry.steps) {
    const done = alreadyDone(state, stepEffects(step));
    if (done === undefined) return undefined;
    folder = done;
  }
  return folder;
}

/** Moves the entries the migrations already settle out of the plan, into `skipped` with the folder. */
export function settleByMigrations(plan: Plan, state: MigrationState): void {
  if (state.size === 0) return;
  const kept: PlanEntry[] = [];
  for (const entry of plan.entries) {
    const folder = settleable(entry) ? heldByMigrations(entry, state) : undefined;
    if (folder === undefined) {
      kept.push(entry);
      continue;
    }
    for (const proposal of [entry.proposal, ...entry.satisfies]) {
      plan.skipped.push({ proposal, reason: `already created by migration ${folder}` });
    }
  }
  plan.entries = kept;
}
