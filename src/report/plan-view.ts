/**
 * Plan → the view the text and Markdown templates read. All strings are made printable here (no
 * control characters); Markdown/HTML escaping is left to the Markdown template's helpers. Every
 * field is present (null when absent): the templates are compiled strict.
 */
import type { PlanEntry, PrismaDeclaration } from '../plan/types';
import { renderEntrySql } from '../render/sql';
import type { Proposal } from '../rules/types';
import { modelFacts } from './facts';
import { specTable } from './finding';
import type { PlanReportInput } from './types';
import { bySeverity, countLevels, formatLocation, insteadClause, printable, type Level } from './text';

export interface FindingView {
  severity: Level;
  ruleId: string;
  table: string;
  title: string;
  location: string;
}

export interface DeclarationView {
  /** `@@index(...)` to add, or null. */
  attribute: string | null;
  /** `previewFeatures = ["partialIndexes"]` the attribute needs, or null. */
  previewFeatures: string | null;
  /** The attribute to remove (drop-index), or null. */
  remove: string | null;
  removeLocation: string | null;
  /** Why there is no declaration, or null. */
  none: string | null;
  drift: boolean;
}

export interface EntryView extends FindingView {
  id: string;
  name: string;
  model: string;
  kind: string;
  cost: string;
  instead: string;
  serves: string | null;
  evidence: string[];
  prisma: DeclarationView;
  sql: string[];
  sqlText: string;
  satisfies: FindingView[];
  /** Markdown only: print the `<details>` block (false when left out to fit a PR comment). */
  details: boolean;
}

export interface PlanView {
  color: boolean;
  tool: { name: string; version: string };
  files: string[];
  filesText: string;
  facts: ReturnType<typeof modelFacts>;
  warnings: { code: string; message: string; location: string | null }[];
  /** `items`: every entry, error-level first (text summary); `rows`: the ones the Markdown table shows. */
  summary: { total: number; error: number; warn: number; info: number; items: EntryView[]; rows: EntryView[] };
  groups: { table: string; model: string; entries: EntryView[] }[];
  skipped: (FindingView & { reason: string })[];
  unusedSuppressions: { rules: string; reason: string; location: string }[];
  /** What the Markdown report left out to stay under a PR comment's size limit. */
  omitted: { details: number; rows: number; skipped: boolean; any: boolean };
}

const KIND_LABEL = { index: 'Index', check: 'CHECK constraint', 'drop-index': 'Drop index' } as const;

export function findingView(finding: Pick<Proposal, 'severity' | 'ruleId' | 'spec' | 'message' | 'span'>): FindingView {
  return {
    severity: finding.severity,
    ruleId: printable(finding.ruleId),
    table: printable(specTable(finding.spec)),
    title: printable(finding.message.title),
    location: printable(formatLocation(finding.span)),
  };
}

export function declarationView(declaration: PrismaDeclaration): DeclarationView {
  const empty: DeclarationView = {
    attribute: null,
    previewFeatures: null,
    remove: null,
    removeLocation: null,
    none: null,
    drift: false,
  };
  switch (declaration.kind) {
    case 'attribute':
      return {
        ...empty,
        attribute: printable(declaration.attribute),
        previewFeatures:
          declaration.previewFeatures.length > 0
            ? printable(`previewFeatures = [${declaration.previewFeatures.map((f) => JSON.stringify(f)).join(', ')}]`)
            : null,
      };
    case 'drop-attribute':
      return {
        ...empty,
        remove: printable(declaration.attribute),
        removeLocation: printable(formatLocation(declaration.span)),
      };
    case 'none':
      return { ...empty, none: printable(declaration.reason), drift: declaration.drift };
  }
}

function entryView(entry: PlanEntry): EntryView {
  const sql = renderEntrySql(entry).map((s) => printable(s.up.replace(/\n+$/, ''), true));
  return {
    ...findingView(entry),
    id: printable(entry.id),
    name: printable(entry.name),
    model: printable(entry.model),
    kind: KIND_LABEL[entry.spec.kind],
    cost: printable(entry.message.cost),
    instead: printable(insteadClause(entry.message.instead)),
    serves: entry.message.serves === undefined ? null : printable(entry.message.serves),
    evidence: entry.evidence.map((e) => printable(e)),
    prisma: declarationView(entry.declaration),
    sql,
    sqlText: sql.join('\n\n'),
    satisfies: entry.satisfies.map(findingView),
    details: true,
  };
}

/** Plan entries grouped by table, groups in order of first appearance (the plan is ordered by table). */
function entriesByTable(entries: readonly PlanEntry[]): { table: string; model: string; entries: PlanEntry[] }[] {
  const groups = new Map<string, { table: string; model: string; entries: PlanEntry[] }>();
  for (const entry of entries) {
    const key = `${entry.spec.schema ?? ''}\u0000${entry.spec.table}`;
    let group = groups.get(key);
    if (!group) {
      group = { table: printable(specTable(entry.spec)), model: printable(entry.model), entries: [] };
      groups.set(key, group);
    }
    group.entries.push(entry);
  }
  return [...groups.values()];
}

function groupByTable(entries: readonly PlanEntry[]): PlanView['groups'] {
  return entriesByTable(entries).map((g) => ({ ...g, entries: g.entries.map(entryView) }));
}

/** `plan --format text`, part 1: header and summary (the summary needs only each entry's finding). */
export interface PlanTextHead extends Pick<PlanView, 'color' | 'tool' | 'filesText' | 'facts' | 'warnings'> {
  summary: { total: number; error: number; warn: number; info: number; items: FindingView[] };
}

/**
 * Part 2, one per table: that table's entries, whole for --verbose; without it only each entry's
 * finding (its one line), so no SQL or evidence is rendered for lines that do not show them.
 */
export interface PlanTextTable {
  color: boolean;
  table: string;
  model: string;
  entries: EntryView[] | FindingView[];
}

/** Part 3: skipped proposals and unused suppressions. */
export type PlanTextEnd = Pick<PlanView, 'color' | 'skipped' | 'unusedSuppressions'>;

function headParts(
  input: PlanReportInput,
  color: boolean,
): Pick<PlanView, 'color' | 'tool' | 'files' | 'filesText' | 'facts' | 'warnings'> {
  const facts = modelFacts(input.model);
  const files = input.schemaFiles.map((f) => printable(f));
  return {
    color,
    tool: { name: 'idxgen', version: printable(input.toolVersion) },
    files,
    filesText: files.join(', '),
    facts,
    warnings: facts.warnings.map((w) => ({
      code: printable(w.code),
      message: printable(w.message),
      location: w.span ? printable(formatLocation(w.span)) : null,
    })),
  };
}

export function planTextEnd(input: PlanReportInput, color: boolean): PlanTextEnd {
  return {
    color,
    skipped: input.plan.skipped.map((s) => ({ ...findingView(s.proposal), reason: printable(s.reason) })),
    unusedSuppressions: input.plan.unusedSuppressions.map((u) => ({
      rules: printable(u.ruleIds.join(', ')),
      reason: printable(u.reason),
      location: printable(formatLocation(u.span)),
    })),
  };
}

/**
 * The three parts of `plan --format text`. Each table's view is built when iterated: a big plan
 * never holds every entry's view at once.
 */
export function planTextViews(
  input: PlanReportInput,
  color: boolean,
  verbose: boolean,
): { head: PlanTextHead; tables: Iterable<PlanTextTable>; end: PlanTextEnd } {
  const groups = entriesByTable(input.plan.entries);
  const entries = groups.flatMap((g) => g.entries);
  const head: PlanTextHead = {
    ...headParts(input, color),
    summary: {
      total: entries.length,
      ...countLevels(entries.map((e) => e.severity)),
      items: bySeverity(entries.map(findingView), (e) => e.severity),
    },
  };
  function* tables(): Generator<PlanTextTable> {
    for (const group of groups)
      yield {
        color,
        table: group.table,
        model: group.model,
        entries: verbose ? group.entries.map(entryView) : group.entries.map(findingView),
      };
  }
  return { head, tables: tables(), end: planTextEnd(input, color) };
}

export function planView(input: PlanReportInput, color: boolean): PlanView {
  const { plan } = input;
  const groups = groupByTable(plan.entries);
  const items = bySeverity(
    groups.flatMap((g) => g.entries),
    (e) => e.severity,
  );
  return {
    ...headParts(input, color),
    summary: {
      total: plan.entries.length,
      ...countLevels(plan.entries.map((e) => e.severity)),
      items,
      rows: items,
    },
    groups,
    ...planTextEnd(input, color),
    omitted: { details: 0, rows: 0, skipped: false, any: false },
  };
}
