/**
 * Plan → the view the text and Markdown templates read. All strings are made printable here (no
 * control characters); Markdown/HTML escaping is left to the Markdown template's helpers. Every
 * field is present (null when absent): the templates are compiled strict.
 */
import type { PlanEntry, PrismaDeclaration } from '../plan/types';
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

const KIND_LABEL = { 'index': 'Index', 'check': 'CHECK constraint', 'drop-index': 'Drop index' } as const;

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
  const empty: DeclarationView = { attribute: null, previewFeatures: null, remove: null, removeLocation: null, none: null, drift: false };
  switch (declaration.kind) {
    case 'attribute':
      return {
        ...empty,
        attribute: printable(declaration.attribute),
        previewFeatures:
          declaration.previewFeatures.length > 0 ? printable(`previewFeatures = [${declaration.previewFeatures.map((f) => JSON.stringify(f)).join(', ')}]`) : null,
      };
    case 'drop-attribute':
      return { ...empty, remove: printable(declaration.attribute), removeLocation: printable(formatLocation(declaration.span)) };
    case 'none':
      return { ...empty, none: printable(declaration.reason), drift: declaration.drift };
  }
}

function entryView(entry: PlanEntry): EntryView {
  const sql = entry.sql.map((s) => printable(s.up.replace(/\n+$/, ''), true));
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

/** Entries grouped by table, groups in order of first appearance (the plan is ordered by table). */
function groupByTable(entries: PlanEntry[]): PlanView['groups'] {
  const groups = new Map<string, PlanView['groups'][number]>();
  for (const entry of entries) {
    const key = `${entry.spec.schema ?? ''}\u0000${entry.spec.table}`;
    let group = groups.get(key);
    if (!group) {
      group = { table: printable(specTable(entry.spec)), model: printable(entry.model), entries: [] };
      groups.set(key, group);
    }
    group.entries.push(entryView(entry));
  }
  return [...groups.values()];
}

export function planView(input: PlanReportInput, color: boolean): PlanView {
  const { plan } = input;
  const facts = modelFacts(input.model);
  const counts = countLevels(plan.entries.map((e) => e.severity));
  const files = input.schemaFiles.map((f) => printable(f));
  const groups = groupByTable(plan.entries);
  const items = bySeverity(
    groups.flatMap((g) => g.entries),
    (e) => e.severity,
  );
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
    summary: {
      total: plan.entries.length,
      ...counts,
      items,
      rows: items,
    },
    groups,
    skipped: plan.skipped.map((s) => ({ ...findingView(s.proposal), reason: printable(s.reason) })),
    unusedSuppressions: plan.unusedSuppressions.map((u) => ({
      rules: printable(u.ruleIds.join(', ')),
      reason: printable(u.reason),
      location: printable(formatLocation(u.span)),
    })),
    omitted: { details: 0, rows: 0, skipped: false, any: false },
  };
}
