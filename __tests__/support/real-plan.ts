/**
 * Report inputs made the way the commands make them: the real loader, rules and plan on a fixture
 * schema (__tests__/fixtures/report-plan: two model files, a hostile column name, one finding of
 * most kinds, a load warning, a skipped proposal and an unused suppression). The report goldens
 * are rendered from these, so they only ever show rule ids, messages and SQL that idxgen writes.
 */
import * as path from 'node:path';
import { loadAndPlan } from '../../src/cli/context';
import { answeredByOtherRule, declarationsByFinding } from '../../src/plan/plan';
import type { CheckReportInput, PlanReportInput } from '../../src/report';
import { allRules } from '../../src/rules/registry';

export const REPORT_PLAN = path.join(__dirname, '..', 'fixtures', 'report-plan');
export const REPORT_PLAN_CLEAN = path.join(__dirname, '..', 'fixtures', 'report-plan-clean');
const TOOL_VERSION = '0.0.0-test';

function planned(dir: string, schema?: string) {
  return loadAndPlan(dir, schema === undefined ? {} : { schema });
}

/** What `idxgen plan` renders for the fixture (or for the clean one: an empty plan). */
export function realPlanInput(dir: string = REPORT_PLAN): PlanReportInput {
  const { location, schema, plan } = planned(dir, dir === REPORT_PLAN ? 'prisma/schema' : undefined);
  return {
    schemaFiles: location.files,
    model: schema.model,
    plan,
    rules: allRules.map((r) => r.meta),
    toolVersion: TOOL_VERSION,
  };
}

/** What `idxgen check --level info` renders for the fixture: every finding not settled by the plan. */
export function realCheckInput(): CheckReportInput {
  const { schema, plan } = planned(REPORT_PLAN, 'prisma/schema');
  const settled = new Set(plan.skipped.map((s) => s.proposal));
  return {
    findings: plan.findings.filter((f) => !settled.has(f)),
    model: schema.model,
    rules: allRules.map((r) => r.meta),
    toolVersion: TOOL_VERSION,
    unusedSuppressions: plan.unusedSuppressions,
    fixes: declarationsByFinding(plan),
    answeredBy: answeredByOtherRule(plan),
  };
}
