/**
 * One golden file per format, rendered from the real plan of __tests__/fixtures/report-plan (see
 * support/real-plan.ts). Review a change with `git diff __tests__/report/__golden__`;
 * accept it with `UPDATE_GOLDEN=1 npx jest __tests__/report`.
 */
import { renderCheck, renderPlan } from '../../src/report';
import { expectGolden } from '../support/golden';
import { realCheckInput as checkInput, realPlanInput, REPORT_PLAN_CLEAN } from '../support/real-plan';

const planInput = () => realPlanInput();
const emptyPlanInput = () => realPlanInput(REPORT_PLAN_CLEAN);

const PLAN_FORMATS = [
  ['text', 'plan.txt'],
  ['text', 'plan-verbose.txt'],
  ['json', 'plan.json'],
  ['sarif', 'plan.sarif.json'],
  ['markdown', 'plan.md'],
  ['github', 'plan.github.txt'],
] as const;

const CHECK_FORMATS = [
  ['text', 'check.txt'],
  ['json', 'check.json'],
  ['sarif', 'check.sarif.json'],
  ['markdown', 'check.md'],
  ['github', 'check.github.txt'],
] as const;

const ANSI = /\u001b\[[0-9;]*m/g;

function expectWellFormed(text: string): void {
  expect(text).not.toMatch(/\r/);
  expect(text).not.toMatch(ANSI);
  expect(text).not.toMatch(/[ \t]+\n/);
  if (text !== '') expect(text).toMatch(/[^\n]\n$/);
}

describe('plan goldens', () => {
  test.each(PLAN_FORMATS)('%s (%s)', (format, file) => {
    const text = renderPlan(format, planInput(), { color: false, verbose: file === 'plan-verbose.txt' });
    expectWellFormed(text);
    expectGolden(`report/__golden__/${file}`, text);
  });

  test.each([
    ['text', 'plan-empty.txt'],
    ['markdown', 'plan-empty.md'],
  ] as const)('empty plan, %s', (format, file) => {
    const text = renderPlan(format, emptyPlanInput(), { color: false });
    expectWellFormed(text);
    expectGolden(`report/__golden__/${file}`, text);
  });
});

describe('check goldens', () => {
  test.each(CHECK_FORMATS)('%s', (format, file) => {
    const text = renderCheck(format, checkInput(), { color: false });
    expectWellFormed(text);
    expectGolden(`report/__golden__/${file}`, text);
  });

  test('a clean check prints nothing in text and github formats', () => {
    const clean = { ...checkInput(), findings: [], unusedSuppressions: [] };
    expect(renderCheck('text', clean, { color: false })).toBe('');
    expect(renderCheck('github', clean, { color: false })).toBe('');
    expect(JSON.parse(renderCheck('json', clean, { color: false })).summary.problems).toBe(0);
  });
});

describe('determinism', () => {
  test('same input → byte-identical output, from fresh copies of the input too', () => {
    for (const [format] of PLAN_FORMATS) {
      const first = renderPlan(format, planInput(), { color: false });
      expect(renderPlan(format, planInput(), { color: false })).toBe(first);
      const input = planInput();
      // Rule metadata holds functions (not cloneable); everything else is copied.
      const copy = { ...input, model: structuredClone(input.model), plan: structuredClone(input.plan) };
      expect(renderPlan(format, copy, { color: false })).toBe(first);
    }
    for (const [format] of CHECK_FORMATS) {
      expect(renderCheck(format, checkInput(), { color: false })).toBe(
        renderCheck(format, checkInput(), { color: false }),
      );
    }
  });

  test('reporters do not mutate their input', () => {
    const input = planInput();
    const before = structuredClone({ model: input.model, plan: input.plan });
    for (const [format] of PLAN_FORMATS) renderPlan(format, input, { color: true });
    expect({ model: input.model, plan: input.plan }).toEqual(before);
    const check = checkInput();
    const checkBefore = structuredClone({ findings: check.findings, unused: check.unusedSuppressions });
    for (const [format] of CHECK_FORMATS) renderCheck(format, check, { color: true });
    expect({ findings: check.findings, unused: check.unusedSuppressions }).toEqual(checkBefore);
  });

  test('check output does not depend on the order findings arrive in', () => {
    const input = checkInput();
    const reversed = { ...input, findings: [...input.findings].reverse() };
    for (const [format] of CHECK_FORMATS)
      expect(renderCheck(format, reversed, { color: false })).toBe(renderCheck(format, input, { color: false }));
  });
});
