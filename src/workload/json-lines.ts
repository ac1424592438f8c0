/**
 * The JSON-lines files idxgen reads (recorded query shapes, Prisma Client query events): each
 * non-blank line parsed, with its 1-based line number; a line that is not JSON is a problem at
 * `file:line:1` naming what the line should have been.
 */
import type { Diagnostic } from '../errors';

export function* jsonLines(
  text: string,
  file: string,
  expected: string,
  problems: Diagnostic[],
): Generator<{ value: unknown; line: number }> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      yield { value: JSON.parse(line) as unknown, line: i + 1 };
    } catch {
      problems.push({ file, line: i + 1, column: 1, message: `not a JSON object (${expected})` });
    }
  }
}
