import { ExitCode } from '../../errors';
import { answeredByOtherRule, declarationsByFinding } from '../../plan/plan';
import { renderCheck } from '../../report';
import { capabilitiesOf, capabilityNote, projectPrisma, readPrismaVersion } from '../../compat/prisma-version';
import { allRules } from '../../rules/registry';
import type { Severity } from '../../rules/types';
import type { ValidationCache } from '../../schema/validate';
import { loadAndPlan, settleWithMigrations } from '../context';
import { useColor, type CliIO } from '../io';
import { toolVersion } from '../version';

export interface CheckOptions {
  schema?: string;
  config?: string;
  /** Remembers schemas Prisma validated clean (see src/io/validation-cache.ts). */
  cache?: ValidationCache;
  format: 'text' | 'json' | 'sarif' | 'markdown' | 'github';
  level: Exclude<Severity, 'off'>;
}

const RANK = { error: 3, warn: 2, info: 1 } as const;

/** The pre-commit hook: findings at or above `level`, exit 1 when there are any. */
export async function checkCommand(options: CheckOptions, io: CliIO): Promise<number> {
  const planned = loadAndPlan(io.cwd, options);
  settleWithMigrations(io.cwd, planned, (entry) => RANK[entry.severity] >= RANK[options.level]);
  const { schema, plan } = planned;
  // Suppressed findings, and findings an existing index already answers, are not problems.
  const settled = new Set(plan.skipped.map((s) => s.proposal));
  const findings = plan.findings.filter((f) => RANK[f.severity] >= RANK[options.level] && !settled.has(f));
  const output = renderCheck(
    options.format,
    { findings, model: schema.model, rules: allRules.map((r) => r.meta), toolVersion: toolVersion(), unusedSuppressions: plan.unusedSuppressions, fixes: declarationsByFinding(plan), answeredBy: answeredByOtherRule(plan) },
    { color: useColor(io) },
  );
  if (output) io.stdout(output);
  const note = findings.length > 0 ? capabilityNote(capabilitiesOf(projectPrisma(readPrismaVersion(io.cwd), schema.model)), findings.map((f) => f.spec)) : undefined;
  if (note) io.stderr(note);
  return findings.length > 0 ? ExitCode.findings : ExitCode.clean;
}
