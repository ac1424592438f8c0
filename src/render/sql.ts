/**
 * A plan entry's steps → the full text of each step's migration.sql and down.sql: the header
 * comment, then the statement from the step's converter (src/render/steps.ts). One step is one
 * migration folder: one statement, no BEGIN/COMMIT.
 */
import type { PlanEntry, PrismaDeclaration } from '../plan/types';
import type { Step } from '../plan/steps';
import type { IndexSpec } from '../rules/types';
import { commentText } from './comment';
import { describeStep, inverseStep, renderStepsSql, stepSql, type RecoverySql, type RenderedSql } from './steps';
import { renderTemplate } from './templates';

export { renderStepSql, renderStepsSql, type RecoverySql, type RenderedSql } from './steps';

/** What one step does to locks and how to recover from its failure. */
export interface StepFacts {
  /** The lock the up statement takes and what it blocks, one sentence, no `;`. */
  lock: string;
  recovery: RecoverySql;
}

/** The statements of an entry's steps, in order (what `plan --verbose` and `--format json` show). */
export function renderEntrySql(entry: Pick<PlanEntry, 'steps'>): RenderedSql[] {
  return renderStepsSql(entry.steps);
}

// ---- migration files ----------------------------------------------------------------------------

/** The most comment lines a migration.sql or down.sql header may have (issue 11: concise files). */
export const MAX_HEADER_LINES = 12;

function declarationData(declaration: PrismaDeclaration): Record<string, unknown> {
  return {
    declAttribute: declaration.kind === 'attribute' ? commentText(declaration.attribute) : null,
    previewFeatures:
      declaration.kind === 'attribute' && declaration.previewFeatures.length > 0
        ? commentText(declaration.previewFeatures.map((f) => `"${f}"`).join(', '))
        : null,
    declDrop: declaration.kind === 'drop-attribute' ? commentText(declaration.attribute) : null,
    declNone: declaration.kind === 'none' ? commentText(declaration.reason) : null,
    drift: declaration.kind === 'none' && declaration.drift,
  };
}

function header(entry: PlanEntry, step: Step, stepIndex: number, up: boolean): string {
  const { summary } = describeStep(step);
  const { about } = describeStep(up ? step : inverseStep(step));
  const text = renderTemplate('migration-header', {
    up,
    ruleId: commentText(entry.ruleId),
    severity: commentText(entry.severity),
    stepNumber: stepIndex + 1,
    stepCount: entry.steps.length,
    stepSummary: summary,
    model: commentText(entry.model),
    // Why, in one line: the title states the defect (the cost, evidence and measurements are in plan --verbose and the PR description).
    why: commentText(entry.message.title),
    // The extension step creates nothing Prisma could declare: the entry's declaration belongs to the index.
    showDeclaration: step.kind !== 'create-extension',
    ...declarationData(entry.declaration),
    step: renderTemplate(about.template, { up, ...about.data, lock: commentText(about.lock) }).replace(/\s+$/, ''),
    squawkIgnore: about.squawkIgnore.length > 0 ? about.squawkIgnore.join(', ') : null,
    setsLockTimeout: about.setsLockTimeout === true,
  });
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/\s+$/, '')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''));
  // Invariants that keep the header inert whatever the schema's names are.
  for (const line of lines) {
    if (!line.startsWith('--')) throw new Error(`migration header line is not a comment: ${JSON.stringify(line)}`);
    if (line.includes(';')) throw new Error(`migration header line contains ";": ${JSON.stringify(line)}`);
  }
  if (lines.length > MAX_HEADER_LINES)
    throw new Error(`migration header of ${entry.id} has ${lines.length} lines (at most ${MAX_HEADER_LINES})`);
  return lines.join('\n') + '\n';
}

/**
 * The full migration.sql (up) and down.sql (down) text of one step of an entry: the header
 * comment, then the step's statement (up) or its inverse's (down). LF line endings, final
 * newline, and nothing that changes from run to run.
 */
export function renderMigrationFile(entry: PlanEntry, stepIndex: number): { up: string; down: string } {
  const step = stepOf(entry, stepIndex);
  const finish = (text: string) => text.replace(/\r\n?/g, '\n').replace(/\n*$/, '\n');
  return {
    up: finish(header(entry, step, stepIndex, true) + stepSql(step)),
    down: finish(header(entry, step, stepIndex, false) + stepSql(inverseStep(step))),
  };
}

/**
 * The lock step `stepIndex` of an entry takes and the SQL that helps when it fails: what the
 * header points to, printed in full by `generate --format markdown`.
 */
export function stepFacts(entry: PlanEntry, stepIndex: number): StepFacts {
  const { about, recovery } = describeStep(stepOf(entry, stepIndex));
  return { lock: about.lock, recovery };
}

function stepOf(entry: PlanEntry, stepIndex: number): Step {
  const step = entry.steps[stepIndex];
  if (!Number.isInteger(stepIndex) || !step)
    throw new Error(`entry ${entry.id} has no step ${stepIndex} (it has ${entry.steps.length})`);
  return step;
}

/**
 * ALTER INDEX <parent> ATTACH PARTITION <partition's index>, inside SET lock_timeout ... RESET: the
 * attach step's SQL, for a repair outside a plan (inspect). `parent` is the partitioned table's index.
 */
export function renderAttachIndexSql(
  child: { name: string; table: string; schema: string },
  parent: { name: string; schema: string; index: IndexSpec },
  lockTimeoutMs: number,
): string {
  return stepSql({
    kind: 'attach-index',
    ...child,
    attachTo: { name: parent.name, schema: parent.schema },
    lockTimeoutMs,
    last: false,
    top: { name: parent.name, index: parent.index },
  });
}

/** The CREATE INDEX statement of an index spec alone (what hypopg's hypothetical index is given). */
export function renderCreateIndexSql(spec: IndexSpec, name: string): string {
  return stepSql({ kind: 'create-index', name, index: spec, concurrently: true });
}
