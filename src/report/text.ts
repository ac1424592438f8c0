/**
 * Small text utilities shared by every reporter: making hostile text safe to print, locations,
 * severities, wrapping. No colour and no format knowledge here.
 */
import type { Span } from '../model/types';
import { SEVERITY_RANK, type Level } from '../rules/types';

export { LEVELS, type Level } from '../rules/types';

/**
 * Control characters (ESC, CR, BEL, C1 controls ...) in schema names or messages must not reach a
 * terminal or a log raw: they could move the cursor, recolour or hide output. They are shown as
 * `\u001b`-style escapes instead, and so are bidirectional and zero-width formatting characters
 * (which make text read differently from what it is); tabs become one space. Newlines are kept only when `keepNewlines`.
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (ch) => {
    if (ch === '\n' && keepNewlines) return '\n';
    if (ch === '\t') return ' ';
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** `file:line:col` (1-based), the form editors and terminals turn into links. */
export function formatLocation(span: Span): string {
  return `${span.file}:${span.line}:${span.column}`;
}

/** Stable order by severity (error first), keeping the given order within one severity. */
export function bySeverity<T>(items: readonly T[], level: (item: T) => Level): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => SEVERITY_RANK[level(b.item)] - SEVERITY_RANK[level(a.item)] || a.index - b.index)
    .map((x) => x.item);
}

export function countLevels(levels: readonly Level[]): Record<Level, number> {
  const counts: Record<Level, number> = { error: 0, warn: 0, info: 0 };
  for (const level of levels) counts[level]++;
  return counts;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Words that keep their capital when a sentence is turned into a clause after "Instead,". */
const PROPER_WORDS = new Set(['Prisma', 'PostgreSQL', 'Postgres', 'SQL', 'GIN', 'GiST', 'BRIN', 'I']);

/**
 * Rules write `instead` as a sentence ("Create a btree index on ..."); reports print it after
 * "Instead," (strong_migrations style). Lower-case the first word unless it is a name or an
 * acronym; leave text that already starts with "Instead" alone. The label itself lives in the
 * templates; this returns the clause.
 */
export function insteadClause(instead: string): string {
  const text = instead.trim();
  const already = /^instead\b[,:]?\s*/i.exec(text);
  if (already) return text.slice(already[0].length);
  const first = /^[A-Za-z]+/.exec(text)?.[0] ?? '';
  if (first === '' || PROPER_WORDS.has(first) || !/^[A-Z][a-z]*$/.test(first)) return text;
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Greedy word wrap to `width` columns (counting UTF-16 units; good enough for messages), with
 * `indent` spaces before every line but the first (the caller places the first line, after
 * `firstIndent` columns of its own). Width ignores ANSI colour codes. Words longer
 * than a line are not split (identifiers and SQL must stay copyable). Existing newlines are kept.
 */
export function wrap(text: string, width: number, indent: number, firstIndent = indent): string {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    // Split on single spaces so runs of spaces (column padding) survive inside a line.
    const words = paragraph.split(' ');
    let line: string | undefined;
    let lineLength = 0; // visibleLength(line), kept as the line grows
    const lines: string[] = [];
    for (const word of words) {
      const room = width - (out.length === 0 && lines.length === 0 ? firstIndent : indent);
      const wordLength = visibleLength(word);
      if (line === undefined) {
        line = word;
        lineLength = wordLength;
      } else if (lineLength + 1 + wordLength <= room) {
        line += ` ${word}`;
        lineLength += 1 + wordLength;
      } else if (word === '')
        continue; // padding at a break is dropped
      else {
        lines.push(line);
        line = word;
        lineLength = wordLength;
      }
    }
    if (line === undefined) line = '';
    lines.push(line);
    out.push(...lines);
  }
  return out.map((line, i) => (i === 0 ? line : `${pad}${line}`)).join('\n');
}

/** Prefix every line but the first with `indent` spaces (multi-line SQL under a label). */
export function indentRest(text: string, indent: number): string {
  const pad = ' '.repeat(indent);
  return text
    .split('\n')
    .map((line, i) => (i === 0 || line === '' ? line : `${pad}${line}`))
    .join('\n');
}

/** LF only, no trailing spaces on lines, exactly one final newline (or nothing for empty output). */
export function finish(text: string): string {
  // One pass per step, no array of lines: plan reports of big schemas run to megabytes.
  const body = text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n+$/, '');
  return body === '' ? '' : `${body}\n`;
}

/**
 * `finish` over a text that comes in pieces, each piece ending at a line end: the pieces joined
 * equal `finish` of the whole. Blank lines at the end of a piece are held back until text follows.
 */
export function* finishChunks(chunks: Iterable<string>): Generator<string> {
  let held = '';
  let any = false;
  for (const chunk of chunks) {
    const text = chunk.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '');
    const body = text.replace(/\n+$/, '');
    if (body === '') {
      held += text;
      continue;
    }
    yield held + body;
    any = true;
    held = text.slice(body.length);
  }
  if (any) yield '\n';
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Columns a string takes on screen, not counting ANSI colour codes. */
export function visibleLength(text: string): number {
  return text.includes('\u001b') ? text.replace(ANSI, '').length : text.length;
}
