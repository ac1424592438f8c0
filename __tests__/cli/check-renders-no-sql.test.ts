/**
 * `check` (the pre-commit hook) plans with typed steps and renders no SQL: rendering the statements
 * of a 500-proposal plan through the templates would be most of its time. `plan --verbose` renders
 * them, so the spy is proven to see the calls.
 */
import * as path from 'node:path';
import * as steps from '../../src/render/steps';
import { EXAMPLE_SCHEMA, runCli } from '../support/cli';

/** A folder without a config file or migrations: the bundled example schema is planned alone. */
const CWD = path.join(__dirname, '..', 'fixtures');

test('check renders no statement; plan --verbose renders one per step', async () => {
  const sql = jest.spyOn(steps, 'stepSql');
  const pairs = jest.spyOn(steps, 'renderStepsSql');
  const check = await runCli(['check', '--schema', EXAMPLE_SCHEMA], CWD);
  expect(check.code).toBe(1);
  expect(sql).not.toHaveBeenCalled();
  expect(pairs).not.toHaveBeenCalled();
  const plan = await runCli(['plan', '--verbose', '--schema', EXAMPLE_SCHEMA], CWD);
  expect(plan.code).toBe(0);
  expect(pairs).toHaveBeenCalled();
  expect(plan.stdout).toContain('CREATE INDEX CONCURRENTLY IF NOT EXISTS');
});
