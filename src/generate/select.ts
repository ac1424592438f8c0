/**
 * Which plan entries `generate` considers: error and warn severities (info only on request),
 * narrowed by `--only <rule id | table | model>`. Pure.
 */
import { UserError } from '../errors';
import type { SchemaModel } from '../model/types';
import type { PlanEntry } from '../plan/types';

export interface Selection {
  selected: PlanEntry[];
  notSelected: PlanEntry[];
}

/** Throws a UserError naming every --only value that is no rule id, table or model. */
export function validateOnly(
  only: readonly string[] | undefined,
  ruleIds: readonly string[],
  model: SchemaModel,
): void {
  if (!only) return;
  const known = knownNames(ruleIds, model);
  const unknown = only.filter((value) => !known.has(value));
  if (unknown.length === 0) return;
  throw new UserError(
    unknown.map((value) => ({
      message: `--only ${JSON.stringify(value)}: not a rule id, table or model of this schema (rules: ${[...ruleIds].sort().join(', ')})`,
    })),
  );
}

function knownNames(ruleIds: readonly string[], model: SchemaModel): Set<string> {
  const known = new Set<string>(ruleIds);
  for (const table of model.tables) {
    known.add(table.name);
    known.add(table.model);
    if (table.schema) known.add(`${table.schema}.${table.name}`);
  }
  return known;
}

function matches(entry: PlanEntry, only: ReadonlySet<string>): boolean {
  const spec = entry.spec;
  if (only.has(spec.table) || only.has(entry.model)) return true;
  if (spec.schema && only.has(`${spec.schema}.${spec.table}`)) return true;
  return only.has(entry.ruleId) || entry.satisfies.some((p) => only.has(p.ruleId));
}

export function selectEntries(
  entries: readonly PlanEntry[],
  options: { only?: readonly string[]; includeInfo: boolean },
): Selection {
  const only = options.only ? new Set(options.only) : undefined;
  const selected: PlanEntry[] = [];
  const notSelected: PlanEntry[] = [];
  for (const entry of entries) {
    const bySeverity = entry.severity !== 'info' || options.includeInfo;
    const byOnly = !only || matches(entry, only);
    (bySeverity && byOnly ? selected : notSelected).push(entry);
  }
  return { selected, notSelected };
}

/**
 * Whether generate may edit the schema with these options: some selected entry has a declaration
 * to add or remove. False for a re-run with nothing left to declare, where the edited-schema checks
 * never run (the CLI then starts no thread for them).
 */
export function mayEditSchema(
  entries: readonly PlanEntry[],
  options: { only?: readonly string[]; includeInfo: boolean },
): boolean {
  return selectEntries(entries, options).selected.some((entry) => entry.declaration.kind !== 'none');
}
