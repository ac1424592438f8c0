/**
 * Facts about one finding or plan entry that several formats print: where it is, which table,
 * the fix a `check` user pastes, a stable fingerprint.
 */
import type { PrismaDeclaration } from '../plan/types';
import { renderDeclaration } from '../render/declaration';
import type { Proposal, ProposalSpec } from '../rules/types';
import { qualifiedName } from '../sql/quote';
import { indexName, uniqueConstraintName } from '../schema/names';

/** `"schema"."table"` or `"table"`, as SQL would name it (unambiguous even for hostile names). */
export function specTable(spec: ProposalSpec): string {
  return qualifiedName(spec.table, spec.schema);
}

/** Key columns of the index/constraint a spec creates (or drops), database names. */
export function specColumns(spec: ProposalSpec): string[] {
  switch (spec.kind) {
    case 'index':
      return spec.columns.map((c) => c.column);
    case 'check':
      return [...spec.columns];
    case 'drop-index':
      return spec.recreate.columns.map((c) => c.column);
  }
}

/** The name `plan` gives a proposal when nothing clashes (Prisma's default naming, 63-byte rule). */
export function defaultName(spec: ProposalSpec): string {
  switch (spec.kind) {
    case 'index': {
      const columns = spec.columns.map((c) => c.column);
      return spec.unique ? uniqueConstraintName(spec.table, columns) : indexName(spec.table, columns);
    }
    case 'check':
    case 'drop-index':
      return spec.name;
  }
}

/**
 * How schema.prisma declares a bare finding (`check` has no plan entries). Uses the default name;
 * `plan` may pick another on a clash, which its own report shows.
 */
export function findingDeclaration(
  finding: Proposal,
  fixes?: ReadonlyMap<Proposal, PrismaDeclaration>,
): PrismaDeclaration {
  const planned = fixes?.get(finding);
  if (planned) return planned;
  try {
    return renderDeclaration(finding.spec, defaultName(finding.spec), finding.span);
  } catch (error) {
    // A report must not die on one odd finding; say what happened instead of a fix.
    const why = error instanceof Error ? error.message : String(error);
    return {
      kind: 'none',
      drift: false,
      reason: `no declaration could be written (${why}); run idxgen plan for details`,
    };
  }
}

/**
 * A fingerprint that survives edits elsewhere in the file (no line numbers): rule, kind, table
 * and columns. Used as SARIF partialFingerprints so code scanning tracks an alert across commits.
 */
export function fingerprint(ruleId: string, spec: ProposalSpec): string {
  const parts = [ruleId, spec.kind, spec.schema ?? '', spec.table, ...specColumns(spec)];
  if (spec.kind === 'drop-index') parts.push(spec.name);
  return hashParts(parts);
}

/** 128 bits of SHA-256 over NUL-joined parts, hex. */
export function hashParts(parts: readonly string[]): string {
  // node:crypto is loaded on first use: the text report of `check` never needs it (issue 14).
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(parts.join('\u0000'), 'utf8').digest('hex').slice(0, 32);
}
