/**
 * Appends lines to a file in one write (O_APPEND), creating its folder when missing. The only
 * writer outside write-tree.ts: it runs inside the user's application, for the query-shape
 * recorder, where one append per flush is what several test workers writing the same file need.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function appendLines(file: string, lines: readonly string[]): void {
  if (lines.length === 0) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${lines.join('\n')}\n`, { encoding: 'utf8', mode: 0o644 });
}
