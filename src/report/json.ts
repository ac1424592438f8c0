/**
 * The `json` format, version 1 (described by schemas/plan.schema.json). Objects are built key by
 * key in a fixed order, optional values are `null` (never missing), so the output is stable and
 * easy to consume. Bump JSON_REPORT_VERSION on any breaking change to the shape.
 */
import type { Span } from '../model/types';
import type { PlanEntry, PrismaDeclaration, UnusedSuppression } from '../plan/types';
import { renderEntrySql, type RenderedSql } from '../render/sql';
import type { IndexSpec, Proposal, ProposalSpec } from '../rules/types';
import { renderPredicateSql } from '../render/predicate';
import { modelFacts } from './facts';
import { findingDeclaration, fingerprint } from './finding';
import { sortFindings } from './check-order';
import { countLevels } from './text';
import type { CheckReportInput, PlanReportInput } from './types';

export const JSON_REPORT_VERSION = 1;
export const JSON_SCHEMA_URL = 'https://unpkg.com/idxgen/schemas/plan.schema.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function location(span: Span): Json {
  return { file: span.file, line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn };
}

/** The keys every spec starts with: its kind and its table. */
function target(spec: ProposalSpec): { [key: string]: Json } {
  return { kind: spec.kind, schema: spec.schema ?? null, table: spec.table };
}

function indexSpec(spec: IndexSpec): Json {
  return {
    ...target(spec),
    columns: spec.columns.map((c) => ({
      column: c.column,
      field: c.field,
      sort: c.sort ?? null,
      opclass: c.opclass ?? null,
      prismaOps: c.prismaOps ?? null,
      // An expression key (`lower("email")`): the typed tree, only when there is one.
      ...(c.expression ? { expression: { ...c.expression } } : {}),
    })),
    method: spec.method,
    unique: spec.unique,
    where: spec.where === undefined ? null : renderPredicateSql(spec.where),
    include: [...spec.include],
    extensions: [...spec.extensions],
  };
}

function specJson(spec: ProposalSpec): Json {
  switch (spec.kind) {
    case 'index':
      return indexSpec(spec);
    case 'check':
      return { ...target(spec), name: spec.name, expression: spec.expression, columns: [...spec.columns] };
    case 'drop-index':
      return { ...target(spec), name: spec.name, coveredBy: spec.coveredBy, recreate: indexSpec(spec.recreate) };
  }
}

function declarationJson(declaration: PrismaDeclaration): Json {
  switch (declaration.kind) {
    case 'attribute':
      return { kind: 'attribute', attribute: declaration.attribute, previewFeatures: [...declaration.previewFeatures] };
    case 'drop-attribute':
      return { kind: 'drop-attribute', attribute: declaration.attribute, location: location(declaration.span) };
    case 'none':
      return { kind: 'none', reason: declaration.reason, drift: declaration.drift };
  }
}

function messageJson(message: Proposal['message']): Json {
  return { title: message.title, cost: message.cost, instead: message.instead, serves: message.serves ?? null };
}

function findingJson(finding: Proposal): { [key: string]: Json } {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    model: finding.model,
    message: messageJson(finding.message),
    evidence: [...finding.evidence],
    location: location(finding.span),
    spec: specJson(finding.spec),
    fingerprint: fingerprint(finding.ruleId, finding.spec),
  };
}

function sqlJson(sql: RenderedSql): Json {
  return { up: sql.up, down: sql.down };
}

function entryJson(entry: PlanEntry): Json {
  return {
    id: entry.id,
    ruleId: entry.ruleId,
    severity: entry.severity,
    model: entry.model,
    name: entry.name,
    message: messageJson(entry.message),
    evidence: [...entry.evidence],
    location: location(entry.span),
    spec: specJson(entry.spec),
    fingerprint: fingerprint(entry.ruleId, entry.spec),
    declaration: declarationJson(entry.declaration),
    sql: renderEntrySql(entry).map(sqlJson),
    satisfies: entry.satisfies.map(findingJson),
    ...(entry.workload ? { workload: workloadJson(entry.workload) } : {}),
  };
}

export function workloadJson(evidence: NonNullable<PlanEntry['workload']>): Json {
  return {
    method: evidence.method,
    rank: evidence.rank ?? null,
    savedMs: evidence.savedMs,
    statements: evidence.statements.map((s) => ({
      fingerprint: s.fingerprint,
      text: s.text,
      calls: s.calls,
      meanMs: s.meanMs ?? null,
      costBefore: s.costBefore ?? null,
      costAfter: s.costAfter ?? null,
      savedMs: s.savedMs ?? null,
      upperBound: s.upperBound ?? false,
      note: s.note ?? null,
    })),
    write: evidence.write ? { indexes: evidence.write.indexes, writesPerSecond: evidence.write.writesPerSecond } : null,
  };
}

function unusedJson(u: UnusedSuppression): Json {
  return { ruleIds: [...u.ruleIds], reason: u.reason, location: location(u.span) };
}

function schemaJson(files: string[], model: PlanReportInput['model']): Json {
  const facts = modelFacts(model);
  return {
    files: [...files],
    tables: facts.tables,
    views: facts.views,
    foreignKeys: facts.foreignKeys,
    foreignKeysWithoutIndex: facts.foreignKeysWithoutIndex,
    declaredIndexes: facts.declaredIndexes,
    declaredUniques: facts.declaredUniques,
    warnings: facts.warnings.map((w) => ({
      code: w.code,
      message: w.message,
      location: w.span ? location(w.span) : null,
    })),
  };
}

function header(kind: 'plan' | 'check', toolVersion: string): { [key: string]: Json } {
  return {
    $schema: JSON_SCHEMA_URL,
    version: JSON_REPORT_VERSION,
    kind,
    tool: { name: 'idxgen', version: toolVersion },
  };
}

function stringify(value: Json): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function renderPlanJson(input: PlanReportInput): string {
  const { plan } = input;
  const counts = countLevels(plan.entries.map((e) => e.severity));
  return stringify({
    ...header('plan', input.toolVersion),
    schema: schemaJson(input.schemaFiles, input.model),
    summary: {
      entries: plan.entries.length,
      error: counts.error,
      warn: counts.warn,
      info: counts.info,
      findings: plan.findings.length,
      skipped: plan.skipped.length,
      unusedSuppressions: plan.unusedSuppressions.length,
    },
    entries: plan.entries.map(entryJson),
    skipped: plan.skipped.map((s) => ({ reason: s.reason, finding: findingJson(s.proposal) })),
    unusedSuppressions: plan.unusedSuppressions.map(unusedJson),
  });
}

export function renderCheckJson(input: CheckReportInput): string {
  const findings = sortFindings(input.findings);
  const counts = countLevels(findings.map((f) => f.severity));
  return stringify({
    ...header('check', input.toolVersion),
    schema: schemaJson(input.model.files, input.model),
    summary: {
      problems: findings.length,
      error: counts.error,
      warn: counts.warn,
      info: counts.info,
      unusedSuppressions: input.unusedSuppressions.length,
    },
    findings: findings.map((f) => ({
      ...findingJson(f),
      declaration: declarationJson(findingDeclaration(f, input.fixes)),
    })),
    unusedSuppressions: input.unusedSuppressions.map(unusedJson),
  });
}
