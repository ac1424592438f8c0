/**
 * Golden files: expected output checked in beside the tests, compared byte for byte.
 *
 *   expectGolden('report/__golden__/plan.txt', actual)
 *
 * The path is relative to `__tests__/`. Without UPDATE_GOLDEN=1 a missing or different file fails
 * the test (with a diff); with UPDATE_GOLDEN=1 the file is (re)written and the test passes.
 * Updating goldens is an explicit command, never a side effect of a normal run:
 *
 *   UPDATE_GOLDEN=1 npx jest __tests__/report
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const TESTS_ROOT = path.resolve(__dirname, '..');

export function goldenPath(relativePath: string): string {
  if (path.isAbsolute(relativePath))
    throw new Error(`expectGolden: pass a path relative to __tests__/, got ${relativePath}`);
  const file = path.resolve(TESTS_ROOT, relativePath);
  if (!file.startsWith(TESTS_ROOT + path.sep)) throw new Error(`expectGolden: ${relativePath} is outside __tests__/`);
  return file;
}

export function updatingGoldens(): boolean {
  return process.env['UPDATE_GOLDEN'] === '1';
}

/** Compares `actual` with the golden file (UTF-8, exact bytes), or writes it when UPDATE_GOLDEN=1. */
export function expectGolden(relativePath: string, actual: string): void {
  const file = goldenPath(relativePath);
  const exists = fs.existsSync(file);
  if (updatingGoldens()) {
    if (!exists || fs.readFileSync(file, 'utf8') !== actual) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, actual, 'utf8');
    }
    return;
  }
  if (!exists) {
    throw new Error(
      `golden file __tests__/${relativePath} does not exist; review the output, then create it with ${updateCommand()}`,
    );
  }
  const expected = fs.readFileSync(file, 'utf8');
  if (expected !== actual) {
    // toEqual gives jest's line diff; the `golden` key carries the file name and how to accept the change.
    const lf = (text: string) => text.replace(/\r\n/g, '\n');
    const hint =
      lf(expected) === lf(actual)
        ? 'only line endings differ (check git autocrlf)'
        : `if the change is intended: ${updateCommand()}`;
    expect({ golden: relativePath, text: actual }).toEqual({ golden: `${relativePath}: ${hint}`, text: expected });
  }
}

function updateCommand(): string {
  const testPath = expect.getState().testPath;
  const target = testPath ? path.relative(process.cwd(), testPath) : '';
  return `UPDATE_GOLDEN=1 npx jest ${target}`.trimEnd();
}
