/**
 * Typed steps: each step's effect (what generate and the plan compare with the migrations) is
 * exactly what the migration-folder reader sees in the statement render makes of it, and each
 * step's inverse undoes it (the inverse of the inverse is the step again).
 */
import { scriptEffects } from '../../src/generate/migration-sql';
import { entrySteps, stepEffects, type Step } from '../../src/plan/steps';
import { inverseStep, stepSql } from '../../src/render/steps';
import { GOLDEN_CASES } from '../support/render-fixtures';
import { sqlParser } from '../../src/workload/sql-parser';

// The migration reader is PostgreSQL's parser, which loads asynchronously.
beforeAll(() => sqlParser());

/** Every step of every golden case, the inverses, and the non-concurrent variants of the index steps. */
const STEPS: { label: string; step: Step }[] = GOLDEN_CASES.flatMap(({ id, entry }) =>
  entry.steps.flatMap((step, i) => {
    const variants: Step[] = [step, inverseStep(step)];
    if (step.kind === 'create-index' || step.kind === 'drop-index')
      variants.push(...[{ ...step, concurrently: false }, inverseStep({ ...step, concurrently: false })]);
    return variants.map((s) => ({
      label: `${id} step ${i + 1}: ${s.kind}${'concurrently' in s && !s.concurrently ? ' (not concurrently)' : ''}`,
      step: s,
    }));
  }),
);

test('every step kind is covered', () => {
  expect([...new Set(STEPS.map((s) => s.step.kind))].sort()).toEqual([
    'add-check',
    'create-extension',
    'create-index',
    'drop-check',
    'drop-index',
    'keep-extension',
    'keep-validated',
    'validate-check',
  ]);
});

test.each(STEPS.map((s) => [s.label, s.step] as const))(
  '%s: the typed effect is what the reader of migration folders sees in its SQL',
  (_label, step) => {
    expect(stepEffects(step)).toEqual(scriptEffects(stepSql(step)));
  },
);

test.each(STEPS.map((s) => [s.label, s.step] as const))(
  '%s: the inverse of the inverse is the step',
  (_label, step) => {
    const back = inverseStep(inverseStep(step));
    // coveredBy is what the header says about a drop; the re-created index has no such thing.
    const { coveredBy: _a, ...expected } = { coveredBy: undefined, ...step };
    const { coveredBy: _b, ...actual } = { coveredBy: undefined, ...back };
    expect(actual).toEqual(expected);
  },
);

test('a CHECK is two steps on one constraint, named as the plan names it; the lock timeout defaults to 5 s', () => {
  const [add, validate] = entrySteps(
    { kind: 'check', table: 'Job', name: 'Job_attempts_check', expression: '"attempts" >= 0', columns: ['attempts'] },
    'Job_attempts_check1',
  );
  expect(add).toEqual({
    kind: 'add-check',
    name: 'Job_attempts_check1',
    table: 'Job',
    expression: '"attempts" >= 0',
    lockTimeoutMs: 5000,
  });
  expect(validate).toMatchObject({ kind: 'validate-check', name: 'Job_attempts_check1' });
});
