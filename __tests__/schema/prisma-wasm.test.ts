import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Diagnostic } from '../../src/errors';
import { findNesting, MAX_NESTING, parseSchema, SchemaLimitError } from '../../src/schema/parse';
import { DATASOURCE, REPO } from '../support/cli';

const VALID = `${DATASOURCE}\nmodel User {\n  id Int @id\n}\n`;

/** A list default nested `depth` levels: Prisma's validator crashes on it from ~1,500 levels. */
function deep(depth: number): string {
  return `${DATASOURCE}\nmodel A {\n  id Int @id\n  x Int @default(${'['.repeat(depth)}${']'.repeat(depth)})\n}\n`;
}

/**
 * Runs in a real Node process on the built code (`npm run build`): the test runner's module
 * registry cannot forget a module, so only a plain process shows what a long-lived user sees.
 */
function afterCrash(script: string): unknown {
  const dist = path.join(REPO, 'dist');
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `
    const { validateWithPrisma } = require(${JSON.stringify(path.join(dist, 'schema/validate.js'))});
    const deep = ${JSON.stringify(deep(20000))};
    const crashed = validateWithPrisma([{ path: 'deep.prisma', content: deep }]);
    const out = { crashed };
    ${script}
    process.stdout.write(JSON.stringify(out));
  `,
    ],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as unknown;
}

describe("Prisma's schema WASM after a crash", () => {
  test('a crash is reported at the deepest nesting, and the next schema is validated by a fresh instance', () => {
    const out = afterCrash(`
      out.valid = validateWithPrisma([{ path: 'schema.prisma', content: ${JSON.stringify(VALID)} }]);
      out.invalid = validateWithPrisma([{ path: 'bad.prisma', content: ${JSON.stringify(`${VALID}model B {
  a Nope
}
`)} }]);
    `) as { crashed: Diagnostic[]; valid: Diagnostic[]; invalid: Diagnostic[] };
    expect(out.crashed).toHaveLength(1);
    expect(out.crashed[0]).toMatchObject({ file: 'deep.prisma', line: 7, column: 18 + 19999 });
    expect(out.crashed[0]!.message).toMatch(
      /^Prisma's schema validator crashed reading this schema \((memory access out of bounds|Maximum call stack size exceeded)\).*20002 levels/,
    );
    // The broken instance answered every later call with the same crash; a fresh one answers.
    expect(out.valid).toEqual([]);
    expect(out.invalid[0]).toMatchObject({ file: 'bad.prisma', line: 9, message: expect.stringMatching(/Nope/) });
  });
});

describe('nesting limit', () => {
  test(`findNesting stops at the bracket that opens level ${MAX_NESTING + 1}, skipping strings and comments`, () => {
    const text = `// ((((\nmodel A {\n  x Int @default("[[[[" ${'['.repeat(300)}\n}\n`;
    expect(findNesting(text)).toEqual({ depth: MAX_NESTING + 1, line: 3, column: 24 + MAX_NESTING - 1 });
    expect(findNesting('/* ( \r\n ( */ a {\r\n b(\r)\n}')).toEqual({ depth: 2, line: 3, column: 3 });
    // An escaped quote stays inside the string; an unterminated one ends at its line; so does a line comment.
    expect(findNesting('a "\\" ((" {\n"(( \n [ // (((\r (')).toEqual({ depth: 3, line: 4, column: 2 });
    // A backslash before the line end escapes nothing: the string still ends there.
    expect(findNesting('"( \\\n(( /*(\n*/ /(')).toEqual({ depth: 3, line: 3, column: 5 });
    expect(findNesting('no brackets "(" // (')).toEqual({ depth: 0, line: 1, column: 1 });
  });

  test('the parser refuses the same depth with file:line:col instead of overflowing the stack', () => {
    for (const depth of [MAX_NESTING, 100_000]) {
      let error: unknown;
      try {
        parseSchema('deep.prisma', deep(depth));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SchemaLimitError);
      expect((error as Error).message).toMatch(
        new RegExp(`^deep\\.prisma:7:${18 + MAX_NESTING - 2}: brackets nested more than ${MAX_NESTING} levels deep`),
      );
    }
    expect(() => parseSchema('ok.prisma', deep(MAX_NESTING - 2))).not.toThrow();
  });
});
