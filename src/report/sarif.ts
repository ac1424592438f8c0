import type { PrismaDeclaration } from '../plan/types';
/**
 * SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer). One run; the driver lists every
 * rule (input order) plus `unused-suppression`; each result points into the schema with a
 * relative URI against %SRCROOT% and carries a line-independent partial fingerprint.
 *
 * `check` reports one result per finding. `plan` reports one result per plan entry (the finding
 * it was planned for), with the findings it also satisfies as related locations.
 */
import type { Span } from '../model/types';
import type { PlanEntry, UnusedSuppression } from '../plan/types';
import type { Proposal, RuleMeta, Severity } from '../rules/types';
import { sortFindings } from './check-order';
import { findingDeclaration, fingerprint, hashParts } from './finding';
import { fence } from './markdown-escape';
import { plainMessage } from './message';
import { workloadJson } from './json';
import { type Level } from './text';
import type { CheckReportInput, PlanReportInput } from './types';
import { artifactLocation, slashPath } from './uri';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://www.npmjs.com/package/idxgen';
export const FINGERPRINT_KEY = 'idxgenFingerprint/v1';
export const UNUSED_SUPPRESSION_RULE = 'unused-suppression';

type SarifLevel = 'error' | 'warning' | 'note' | 'none';

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warn: 'warning', info: 'note', off: 'none' };

/** `fk-index` → `FkIndex` (SARIF's human-friendly rule name; the id stays the kebab-case id). */
function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

interface Descriptor {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { enabled?: boolean; level: SarifLevel };
}

function ruleDescriptor(meta: RuleMeta<unknown>): Descriptor {
  const { docs } = meta;
  const text = [docs.problem, docs.proposal, `Instead of:\n${docs.bad}`, `Use:\n${docs.good}`].join('\n\n');
  const markdown = [
    docs.problem,
    docs.proposal,
    `**Instead of:**\n\n${fence(docs.bad, 'prisma')}`,
    `**Use:**\n\n${fence(docs.good, 'prisma')}`,
  ].join('\n\n');
  const level = LEVEL[meta.defaultSeverity];
  return {
    id: meta.id,
    name: ruleName(meta.id),
    shortDescription: { text: meta.summary },
    fullDescription: { text: docs.problem },
    help: { text, markdown },
    defaultConfiguration: meta.defaultSeverity === 'off' ? { enabled: false, level } : { level },
  };
}

function placeholderDescriptor(id: string): Descriptor {
  const text = `Reported by idxgen rule ${id} (no metadata was passed to the reporter).`;
  return {
    id,
    name: ruleName(id),
    shortDescription: { text },
    fullDescription: { text },
    help: { text, markdown: text },
    defaultConfiguration: { level: 'warning' },
  };
}

const UNUSED_DESCRIPTOR: Descriptor = {
  id: UNUSED_SUPPRESSION_RULE,
  name: ruleName(UNUSED_SUPPRESSION_RULE),
  shortDescription: { text: 'A /// idxgen-ignore comment that matches no finding.' },
  fullDescription: {
    text: 'A suppression comment that no longer matches any finding hides nothing today and may hide a real problem later. Remove it.',
  },
  help: {
    text: 'Remove the /// idxgen-ignore comment, or fix the rule ids it names.',
    markdown: 'Remove the `/// idxgen-ignore` comment, or fix the rule ids it names.',
  },
  defaultConfiguration: { level: 'warning' },
};

/** The driver's rules: the given metadata in order, unknown ids (sorted) after, `unused-suppression` last. */
function descriptors(rules: RuleMeta<unknown>[], usedIds: string[]): Descriptor[] {
  const out = rules.filter((r) => r.id !== UNUSED_SUPPRESSION_RULE).map(ruleDescriptor);
  const known = new Set(out.map((d) => d.id));
  const unknown = [...new Set(usedIds.filter((id) => !known.has(id) && id !== UNUSED_SUPPRESSION_RULE))].sort();
  return [...out, ...unknown.map(placeholderDescriptor), UNUSED_DESCRIPTOR];
}

function physicalLocation(span: Span) {
  return {
    physicalLocation: {
      artifactLocation: artifactLocation(span.file),
      region: { startLine: span.line, startColumn: span.column, endLine: span.endLine, endColumn: span.endColumn },
    },
  };
}

interface ResultInput {
  ruleId: string;
  level: Level;
  text: string;
  span: Span;
  fingerprint: string;
  related?: { span: Span; text: string }[];
  /** A SARIF property bag: the live workload's evidence, on the entries a database judged. */
  properties?: Record<string, unknown>;
}

function results(items: ResultInput[], driverRules: Descriptor[]) {
  const index = new Map(driverRules.map((d, i) => [d.id, i]));
  return items.map((item) => ({
    ruleId: item.ruleId,
    ruleIndex: index.get(item.ruleId) ?? -1,
    level: LEVEL[item.level],
    message: { text: item.text },
    locations: [physicalLocation(item.span)],
    ...(item.related && item.related.length > 0
      ? {
          relatedLocations: item.related.map((r, i) => ({
            id: i + 1,
            ...physicalLocation(r.span),
            message: { text: r.text },
          })),
        }
      : {}),
    partialFingerprints: { [FINGERPRINT_KEY]: item.fingerprint },
    ...(item.properties ? { properties: item.properties } : {}),
  }));
}

function unusedResult(u: UnusedSuppression): ResultInput {
  const text = `/// idxgen-ignore ${u.ruleIds.join(', ')} matches no finding; remove it.${u.reason ? ` (Reason given: ${u.reason})` : ''}`;
  // A suppression has no spec: fingerprint the comment by file, rule ids and reason (no line number).
  const print = hashParts([UNUSED_SUPPRESSION_RULE, slashPath(u.span.file), ...u.ruleIds, u.reason]);
  return { ruleId: UNUSED_SUPPRESSION_RULE, level: 'warn', text, span: u.span, fingerprint: print };
}

function entryResult(entry: PlanEntry): ResultInput {
  return {
    ruleId: entry.ruleId,
    level: entry.severity,
    text: plainMessage(entry, entry.declaration, entry.satisfies),
    span: entry.span,
    fingerprint: fingerprint(entry.ruleId, entry.spec),
    related: entry.satisfies.map((s) => ({ span: s.span, text: `${s.ruleId}: ${s.message.title}` })),
    ...(entry.workload
      ? { properties: { evidence: [...entry.evidence], workload: workloadJson(entry.workload) } }
      : {}),
  };
}

function findingResult(finding: Proposal, fixes?: ReadonlyMap<Proposal, PrismaDeclaration>): ResultInput {
  return {
    ruleId: finding.ruleId,
    level: finding.severity,
    text: plainMessage(finding, findingDeclaration(finding, fixes)),
    span: finding.span,
    fingerprint: fingerprint(finding.ruleId, finding.spec),
  };
}

function warningsInvocation(model: PlanReportInput['model']) {
  if (model.warnings.length === 0) return {};
  return {
    invocations: [
      {
        executionSuccessful: true,
        toolExecutionNotifications: model.warnings.map((w) => ({
          level: 'warning',
          message: { text: w.message },
          descriptor: { id: w.code },
          ...(w.span ? { locations: [physicalLocation(w.span)] } : {}),
        })),
      },
    ],
  };
}

/** The SARIF log of one run over `items`: its rules are idxgen's and any id the items name that idxgen does not know. */
function sarifLog(input: Pick<PlanReportInput, 'toolVersion' | 'rules' | 'model'>, items: ResultInput[]): string {
  const usedIds = items.map((i) => i.ruleId);
  const driverRules = descriptors(input.rules, usedIds);
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'idxgen', informationUri: INFORMATION_URI, version: input.toolVersion, rules: driverRules },
        },
        ...warningsInvocation(input.model),
        columnKind: 'utf16CodeUnits',
        results: results(items, driverRules),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

export function renderPlanSarif(input: PlanReportInput): string {
  return sarifLog(input, [...input.plan.entries.map(entryResult), ...input.plan.unusedSuppressions.map(unusedResult)]);
}

export function renderCheckSarif(input: CheckReportInput): string {
  return sarifLog(input, [
    ...sortFindings(input.findings).map((f) => findingResult(f, input.fixes)),
    ...input.unusedSuppressions.map(unusedResult),
  ]);
}
