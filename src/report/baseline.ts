/**
 * `check --baseline FILE`: adopt idxgen on an old schema gradually. The file records today's
 * findings by a stable fingerprint (rule + table + key, never a line number, see fingerprint.ts);
 * later runs fail only on findings it does not hold, and say which of its entries no longer match
 * so the file shrinks (`--update-baseline` rewrites it). Pure: parsing, rendering, comparing.
 */
import type { Proposal } from '../rules/types';
import { fingerprint } from './fingerprint';

export interface BaselineEntry {
  fingerprint: string;
  rule: string;
  /** The finding's title when it was recorded, for people reading the file. */
  title: string;
}

export interface Baseline {
  entries: BaselineEntry[];
}

export const DEFAULT_BASELINE_FILE = '.idxgen-baseline.json';

/** Deterministic JSON: sorted by fingerprint, LF, final newline. */
export function renderBaseline(findings: readonly Proposal[]): string {
  const entries = findings
    .map((f) => ({ fingerprint: fingerprint(f), rule: f.ruleId, title: f.message.title }))
    .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  return `${JSON.stringify({ version: 1, description: 'idxgen check --baseline: findings accepted for now; rewrite with idxgen check --baseline <file> --update-baseline', findings: entries }, null, 2)}\n`;
}

/** The baseline in `text`, or the problems that make it unreadable (a user error for the caller). */
export function parseBaseline(text: string): { baseline: Baseline } | { errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { errors: [`not JSON (${(error as Error).message})`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { errors: ['expected an object with "version": 1 and "findings"'] };
  const object = raw as Record<string, unknown>;
  if (object.version !== 1) return { errors: [`version: expected 1, got ${JSON.stringify(object.version)}`] };
  if (!Array.isArray(object.findings)) return { errors: ['findings: expected a list'] };
  const errors: string[] = [];
  const entries: BaselineEntry[] = [];
  object.findings.forEach((item: unknown, i) => {
    const e = item as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null || typeof e.fingerprint !== 'string' || typeof e.rule !== 'string') {
      errors.push(`findings[${i}]: expected { "fingerprint": string, "rule": string, "title": string }`);
      return;
    }
    entries.push({ fingerprint: e.fingerprint, rule: e.rule, title: typeof e.title === 'string' ? e.title : '' });
  });
  return errors.length > 0 ? { errors } : { baseline: { entries } };
}

export interface BaselineComparison<F> {
  /** Findings the baseline does not hold: these fail `check`. */
  fresh: F[];
  /** Findings the baseline holds (reported as a count only). */
  known: F[];
  /** Baseline entries no finding matches any more: fixed, remove them (`--update-baseline`). */
  stale: BaselineEntry[];
}

/** Matches findings to entries one to one (two identical fingerprints need two entries). */
export function compareWithBaseline<F extends Pick<Proposal, 'ruleId' | 'spec'>>(
  findings: readonly F[],
  baseline: Baseline,
): BaselineComparison<F> {
  const left = new Map<string, BaselineEntry[]>();
  for (const entry of baseline.entries) {
    const list = left.get(entry.fingerprint);
    if (list) list.push(entry);
    else left.set(entry.fingerprint, [entry]);
  }
  const fresh: F[] = [];
  const known: F[] = [];
  for (const finding of findings) {
    const list = left.get(fingerprint(finding));
    if (list && list.length > 0) {
      list.pop();
      known.push(finding);
    } else fresh.push(finding);
  }
  const stale = [...left.values()]
    .flat()
    .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  return { fresh, known, stale };
}
