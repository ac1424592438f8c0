/**
 * A deliberate internal error, so that tests can prove through the real binary that a bug exits 3
 * (__tests__/cli/exit-codes.test.ts). It fires only when BOTH hold:
 *   - NODE_ENV is exactly "test" (jest sets it; a production run does not), and
 *   - IDXGEN_TEST_FAULT names this exact point (`plan`, `check`, `generate`, `verify`: before the
 *     command runs; `verify:step`: when verify starts its first step, the database server running).
 * Any other value does nothing, so neither variable alone can break a real run.
 */
export const FAULT_POINTS = ['plan', 'check', 'generate', 'verify', 'verify:step'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export function testFault(env: NodeJS.ProcessEnv, point: string): void {
  if (
    env.NODE_ENV === 'test' &&
    env.IDXGEN_TEST_FAULT === point &&
    (FAULT_POINTS as readonly string[]).includes(point)
  ) {
    throw new Error(`IDXGEN_TEST_FAULT=${point}: a deliberate internal error (tests only)`);
  }
}
