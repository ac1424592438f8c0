/**
 * idxgen as a library: the pipeline the CLI runs, without the process around it.
 *
 *   const { location, schema, plan } = loadAndPlan(process.cwd(), { schema: 'prisma/schema.prisma' });
 *   console.log(renderPlan('json', { schemaFiles: location.files, model: schema.model, plan, rules: allRules.map((r) => r.meta), toolVersion: '…' }, { color: false }));
 *
 * Everything here is pure but `loadAndPlan`/`readConfig`/`discoverSchema`/`readSchemaFiles` (they
 * read files), `writeTree` (the one writer) and `runVerify` (it starts or connects to PostgreSQL).
 */
export { loadAndPlan, planModel, type Planned } from './cli/context';
export { discoverSchema, type SchemaLocation } from './io/discover';
export { readSchemaFiles } from './io/read-schema';
export { readConfig } from './io/read-config';
export { parseConfig, type Config } from './config/config';
export { loadSchema, type LoadedSchema } from './schema/load';
export { buildPlan, type PlanInput } from './plan/plan';
export { allRules, ruleById } from './rules/registry';
export { renderPlan, renderCheck, type PlanFormat, type CheckFormat } from './report';
export { planGeneration } from './generate';
export { writeTree } from './io/write-tree';
export { runVerify } from './verify';
export { UserError, ExitCode, formatDiagnostic, type Diagnostic } from './errors';
export type { SchemaModel, Table, Column, IndexDef, EnumDef } from './model/types';
export type { Plan, PlanEntry } from './plan/types';
export type { Step, StepKind } from './plan/steps';
export { renderEntrySql, type RenderedSql } from './render/sql';
export type { Rule, Proposal, RuleMeta } from './rules/types';
