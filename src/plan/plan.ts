import type { Config } from '../config/config';
import type { IndexDef, SchemaModel, Table } from '../model/types';
import { indexServes, servingDeclared } from '../model/serves';
import { servingProposed } from '../rules/coverage';
import { renderDeclaration } from '../render/declaration';
import { renderEntrySql } from '../render/sql';
import type { IndexSpec, Proposal, Rule, Severity } from '../rules/types';
import { defaultConstraintName, fitWithSuffix } from '../schema/names';
import { samePredicate } from '../sql/predicate';
import type { Plan, PlanEntry } from './types';

export const SEVERITY_RANK: Record<Exclude<Severity, 'off'>, number> = { error: 3, warn: 2, info: 1 };

export interface PlanInput {
  model: SchemaModel;
  config: Config;
  rules: readonly Rule<never>[];
  /** Proposals a `/// idxgen-ignore` comment turns off (decided by the caller: annotations live in the model). */
  isSuppressed?: (proposal: Proposal) => string | undefined;
}

/** model → findings → merged, named, ordered plan. Pure. */
export function buildPlan({ model, config, rules, isSuppressed }: PlanInput): Plan {
  const findings = runRules(model, config, rules);
  const skipped: Plan['skipped'] = [];
  const live: Proposal[] = [];
  for (const proposal of findings) {
    const suppressed = isSuppressed?.(proposal);
    if (suppressed) skipped.push({ proposal, reason: suppressed });
    else live.push(proposal);
  }
  const tables = new Map(model.tables.map((t) => [tableKey(t.schema, t.name), t]));
  // Subsumption only ever happens within one table: entries are grouped by it.
  const byTable = new Map<string, PlanEntry[]>();
  for (const proposal of [...live].sort(compareProposals)) {
    const key = tableKey(proposal.spec.schema, proposal.spec.table);
    const table = tables.get(key);
    const existing = proposal.spec.kind === 'index' && table ? satisfiedByExisting(proposal.spec, table) : undefined;
    if (existing) {
      skipped.push({ proposal, reason: `already covered by ${existing.kind === 'primary' ? 'the primary key' : 'index'} "${existing.name}"` });
      continue;
    }
    let planned = byTable.get(key);
    if (!planned) byTable.set(key, (planned = []));
    const into = planned.find((entry) => subsumes(entry, proposal) || servesNeed(entry.spec, proposal));
    if (into) {
      into.satisfies.push(proposal);
      if (SEVERITY_RANK[proposal.severity] > SEVERITY_RANK[into.severity]) into.severity = proposal.severity;
      continue;
    }
    // A wider proposal arriving later takes over narrower entries already planned.
    const entry = toEntry(proposal);
    for (const old of planned.filter((e) => subsumesSpec(proposal.spec, e.spec) || servesNeed(proposal.spec, e.proposal))) {
      planned.splice(planned.indexOf(old), 1);
      entry.satisfies.push(...proposalsOf(old));
      if (SEVERITY_RANK[old.severity] > SEVERITY_RANK[entry.severity]) entry.severity = old.severity;
    }
    planned.push(entry);
  }
  const entries = [...byTable.values()].flat();
  nameEntries(entries, model);
  entries.sort(compareEntries);
  return { entries, findings, skipped, unusedSuppressions: [] };
}

function runRules(model: SchemaModel, config: Config, rules: readonly Rule<never>[]): Proposal[] {
  // `@@ignore`d models stay in: Prisma Migrate still creates their tables and foreign keys.
  const tables = model.tables.filter((t) => t.kind !== 'view');
  const out: Proposal[] = [];
  for (const rule of rules) {
    const setting = config.rules[rule.meta.id];
    const severity = setting?.severity ?? rule.meta.defaultSeverity;
    if (severity === 'off') continue;
    const options = (setting?.options ?? rule.meta.defaultOptions) as never;
    for (const proposal of rule.check({ model, tables, options })) out.push({ ...proposal, severity });
  }
  return out;
}

function toEntry(proposal: Proposal): PlanEntry {
  return {
    id: '',
    ruleId: proposal.ruleId,
    severity: proposal.severity,
    spec: proposal.spec,
    name: '',
    model: proposal.model,
    message: proposal.message,
    evidence: proposal.evidence,
    span: proposal.span,
    declaration: { kind: 'none', reason: 'not rendered yet', drift: false },
    sql: [],
    satisfies: [],
    proposal,
  };
}

function proposalsOf(entry: PlanEntry): Proposal[] {
  return [entry.proposal, ...entry.satisfies];
}

/** For each finding the plan answers, the declaration of the entry that answers it (what `check` suggests). */
export function declarationsByFinding(plan: Plan): Map<Proposal, PlanEntry['declaration']> {
  const out = new Map<Proposal, PlanEntry['declaration']>();
  for (const entry of plan.entries) for (const p of proposalsOf(entry)) out.set(p, entry.declaration);
  return out;
}

/**
 * For each finding answered by an entry another rule proposed (a widened index), that rule's id:
 * `check` says why its fix has more columns than its message.
 */
export function answeredByOtherRule(plan: Plan): Map<Proposal, string> {
  const out = new Map<Proposal, string>();
  for (const entry of plan.entries) for (const p of entry.satisfies) if (p.ruleId !== entry.proposal.ruleId) out.set(p, entry.proposal.ruleId);
  return out;
}

/** An existing declared index that already gives what the proposed index would. */
function satisfiedByExisting(spec: IndexSpec, table: Table): IndexDef | undefined {
  const candidates = [...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques, ...table.indexes];
  return candidates.find((def) => {
    if (def.kind === 'fulltext' || def.method !== spec.method) return false;
    if (!samePredicate(servingDeclared(table, def).predicate, spec.where)) return false;
    if (spec.include.length > 0) return false;
    const keys = def.columns.map((c) => `${c.column}\u0000${c.opclass ?? ''}`);
    const wanted = spec.columns.map((c) => `${c.column}\u0000${c.opclass ?? ''}`);
    if (spec.unique) return def.kind !== 'index' && sameSet(keys, wanted);
    if (spec.method !== 'btree') return sameSet(keys, wanted);
    return wanted.every((w, i) => keys[i] === w) && sortsCompatible(spec, def);
  });
}

function sortsCompatible(spec: IndexSpec, def: IndexDef): boolean {
  // A btree scans both ways: (a DESC, b DESC) serves (a, b) too; mixed directions must match up to a flip.
  const flip = (spec.columns[0]?.sort ?? 'asc') !== (def.columns[0]?.sort ?? 'asc');
  return spec.columns.every((c, i) => ((c.sort ?? 'asc') !== (def.columns[i]?.sort ?? 'asc')) === flip);
}

/**
 * Dedupe by need: `spec`'s index serves every read `proposal` states (its `serves`), so one index
 * answers both, e.g. a hash index and a btree index for the same FK lookup, or an
 * (fk, createdAt DESC) index and an FK index of another method. Only for plain reads: a unique
 * index is there for its constraint, an INCLUDE index is generated only on request.
 */
function servesNeed(spec: Proposal['spec'], proposal: Proposal): boolean {
  const narrow = proposal.spec;
  if (spec.kind !== 'index' || narrow.kind !== 'index' || proposal.serves.length === 0) return false;
  if (spec.table !== narrow.table || spec.schema !== narrow.schema) return false;
  if (narrow.unique || narrow.include.length > 0 || spec.include.length > 0) return false;
  const index = servingProposed(spec);
  return proposal.serves.every((shape) => indexServes(index, shape).verdict === 'serves');
}

/** Does a planned entry already give everything `proposal` asks for? */
function subsumes(entry: PlanEntry, proposal: Proposal): boolean {
  return subsumesSpec(entry.spec, proposal.spec);
}

function subsumesSpec(wide: Proposal['spec'], narrow: Proposal['spec']): boolean {
  if (wide.kind !== narrow.kind || wide.table !== narrow.table || wide.schema !== narrow.schema) return false;
  if (wide.kind === 'check' && narrow.kind === 'check') return wide.expression === narrow.expression;
  if (wide.kind === 'drop-index' && narrow.kind === 'drop-index') return wide.name === narrow.name;
  if (wide.kind !== 'index' || narrow.kind !== 'index') return false;
  // An INCLUDE index is drift Prisma cannot declare and is generated only on request: never let it absorb others.
  if (wide.include.length > 0 || narrow.include.length > 0) return wide.include.join() === narrow.include.join() && sameColumns(wide, narrow);
  if (wide.method !== narrow.method || !samePredicate(wide.where, narrow.where)) return false;
  if (narrow.unique) return wide.unique && sameColumns(wide, narrow);
  if (wide.unique) return sameColumns(wide, narrow);
  if (wide.method !== 'btree') return sameColumns(wide, narrow);
  if (narrow.columns.length > wide.columns.length) return false;
  return narrow.columns.every((c, i) => c.column === wide.columns[i]!.column && (c.opclass ?? '') === (wide.columns[i]!.opclass ?? ''));
}

function sameColumns(a: IndexSpec, b: IndexSpec): boolean {
  return a.columns.length === b.columns.length && a.columns.every((c, i) => c.column === b.columns[i]!.column && (c.opclass ?? '') === (b.columns[i]!.opclass ?? ''));
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Prisma's default names (63-byte rule); a clash with an existing or planned name gets the method, then a number. */
function nameEntries(entries: PlanEntry[], model: SchemaModel): void {
  const taken = new Set<string>();
  for (const table of model.tables) {
    for (const def of [...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques, ...table.indexes]) taken.add(nameKey(table.schema, def.name));
    for (const fk of table.foreignKeys) taken.add(nameKey(table.schema, fk.constraintName));
  }
  for (const entry of [...entries].sort(compareForNaming)) {
    const spec = entry.spec;
    if (spec.kind === 'drop-index') {
      entry.name = spec.name;
    } else if (spec.kind === 'check') {
      entry.name = unique([spec.name], spec.schema, taken);
    } else {
      const columns = spec.columns.map((c) => c.column);
      const suffix = spec.unique ? '_key' : '_idx';
      // A partial or INCLUDE index never takes Prisma's default name: that stays free for the plain
      // index on the same columns, so names do not depend on which one was generated first.
      const variant = spec.include.length > 0 ? 'covering' : spec.where !== undefined ? 'partial' : undefined;
      const preferred = defaultConstraintName(spec.table, variant ? [...columns, variant] : columns, suffix);
      const marker = variant ?? spec.method;
      entry.name = unique([preferred, defaultConstraintName(spec.table, [...columns, marker], suffix)], spec.schema, taken);
    }
    taken.add(nameKey(spec.schema, entry.name));
    entry.id = `${spec.schema ? `${spec.schema}.` : ''}${spec.table}:${entry.name}`;
    entry.declaration = renderDeclaration(spec, entry.name, entry.span);
    defineLazySql(entry);
  }
}

/**
 * `entry.sql` is rendered on first read: `check` (the git hook) never reads it, and rendering the
 * SQL of a 500-proposal plan through the templates is most of the planning time.
 */
function defineLazySql(entry: PlanEntry): void {
  let sql: PlanEntry['sql'] | undefined;
  Object.defineProperty(entry, 'sql', {
    enumerable: true,
    configurable: true,
    get: () => (sql ??= renderEntrySql(entry.spec, entry.name)),
    set: (value: PlanEntry['sql']) => {
      sql = value;
    },
  });
}

/**
 * Who gets Prisma's default name when two planned indexes would share it: the plain, declarable
 * index before a partial one, before an INCLUDE one (which is generated only on request).
 */
function compareForNaming(a: PlanEntry, b: PlanEntry): number {
  const rank = (e: PlanEntry) => (e.spec.kind === 'index' ? (e.spec.include.length > 0 ? 2 : e.spec.where !== undefined ? 1 : 0) : 0);
  return rank(a) - rank(b) || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || compareEntries(a, b);
}

/**
 * The first free candidate, else the last one numbered `_2`, `_3`, … in front of its suffix. The
 * number is added after the 63-byte cut, so two long names that PostgreSQL would truncate to the
 * same identifier still come out different.
 */
function unique(candidates: string[], schema: string | undefined, taken: Set<string>): string {
  for (const name of candidates) if (!taken.has(nameKey(schema, name))) return name;
  const last = candidates[candidates.length - 1];
  const suffix = /_(idx|key|check)$/.exec(last)?.[0] ?? '';
  const stem = last.slice(0, last.length - suffix.length);
  for (let n = 2; ; n++) {
    const name = fitWithSuffix(stem, `_${n}${suffix}`);
    if (!taken.has(nameKey(schema, name))) return name;
  }
}

function nameKey(schema: string | undefined, name: string): string {
  return `${schema ?? ''}\u0000${name}`;
}

function tableKey(schema: string | undefined, name: string): string {
  return `${schema ?? ''}\u0000${name}`;
}

const KIND_ORDER = { 'index': 0, 'check': 1, 'drop-index': 2 } as const;

function specColumns(spec: Proposal['spec']): string {
  if (spec.kind === 'index') return spec.columns.map((c) => c.column).join('\u0000');
  if (spec.kind === 'check') return spec.columns.join('\u0000');
  return spec.recreate.columns.map((c) => c.column).join('\u0000');
}

/** Deterministic: error-level findings first so FK indexes lead, then table, kind, columns, rule. */
function compareProposals(a: Proposal, b: Proposal): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    compareText(tableKey(a.spec.schema, a.spec.table), tableKey(b.spec.schema, b.spec.table)) ||
    KIND_ORDER[a.spec.kind] - KIND_ORDER[b.spec.kind] ||
    compareText(specColumns(a.spec), specColumns(b.spec)) ||
    compareText(a.ruleId, b.ruleId)
  );
}

/** Plan order: table, then kind, then columns, then rule (what `plan` prints and `generate` writes). */
export function compareEntries(a: PlanEntry, b: PlanEntry): number {
  return (
    compareText(tableKey(a.spec.schema, a.spec.table), tableKey(b.spec.schema, b.spec.table)) ||
    KIND_ORDER[a.spec.kind] - KIND_ORDER[b.spec.kind] ||
    compareText(specColumns(a.spec), specColumns(b.spec)) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.name, b.name)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
