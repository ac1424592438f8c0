/**
 * Text that goes into `--` comments of migration files.
 *
 * A name from schema.prisma is hostile input, and a comment is not as harmless as it looks:
 * - a line break ends the comment: whatever follows runs as SQL;
 * - a `;` ends the statement for statement splitters that know nothing about comments
 *   (adapter-pg's `executeScript` is `script.split(";")`), so the rest of the line runs as SQL;
 * - `/*` and `*\/`, bidirectional controls and other invisible characters mislead editors,
 *   reviewers and naive tools.
 * So every such character is replaced by a visible marker in prose, and SQL shown in comments
 * (recovery commands) writes unsafe identifiers and literals with PostgreSQL's `U&"..."` /
 * `U&'...'` escapes: exact, pasteable, and with nothing unsafe in the text.
 */
import { qualifiedName, quoteIdent, quoteLiteral } from '../sql/quote';

/**
 * C0 and C1 controls, DEL, the Unicode line/paragraph separators, bidirectional and zero-width
 * formatting characters, the BOM, and `;`.
 */
const UNSAFE_CHAR = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff;]/u;
const UNSAFE_CHAR_G = new RegExp(UNSAFE_CHAR.source, 'gu');
const COMMENT_DELIMITER = /\/\*|\*\//;

function hex4(codePoint: number): string {
  return codePoint.toString(16).toUpperCase().padStart(4, '0');
}

/** True when `text` can be printed in a `--` comment as it is. */
export function isCommentSafe(text: string): boolean {
  return !UNSAFE_CHAR.test(text) && !COMMENT_DELIMITER.test(text);
}

/**
 * One line of text for a `--` comment: every unsafe character becomes `<U+XXXX>` (a `;`, only ever
 * in a name from the schema: idxgen's own prose is written to need none), and the `*` of a `/*`
 * or `*\/` becomes `<U+002A>`.
 */
export function commentText(text: string): string {
  return text
    .replace(UNSAFE_CHAR_G, (ch) => `<U+${hex4(ch.codePointAt(0) ?? 0)}>`)
    .replace(/\/\*/g, '/<U+002A>')
    .replace(/\*\//g, '<U+002A>/');
}

/**
 * Prose for comments, wrapped to `width` characters per line (not counting the `-- ` prefix).
 * Made comment-safe first; a word longer than the width gets a line of its own.
 */
export function wrapComment(text: string, width = 96): string[] {
  const words = commentText(text)
    .split(' ')
    .filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line.length === 0) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/** Characters to write as `\XXXX` inside a U&"..." or U&'...' form. */
function needsUnicodeEscape(chars: string[], index: number): boolean {
  const ch = chars[index] ?? '';
  if (UNSAFE_CHAR.test(ch)) return true;
  // The `*` of `/*` or `*/`.
  return ch === '*' && (chars[index - 1] === '/' || chars[index + 1] === '/');
}

function unicodeEscaped(text: string, quote: '"' | "'"): string {
  const chars = Array.from(text);
  let body = '';
  chars.forEach((ch, index) => {
    if (ch === quote) body += quote + quote;
    else if (ch === '\\') body += '\\\\';
    else if (needsUnicodeEscape(chars, index)) body += `\\${hex4(ch.codePointAt(0) ?? 0)}`;
    else body += ch;
  });
  return `U&${quote}${body}${quote}`;
}

/** An identifier for SQL shown in a comment: `"name"`, or `U&"..."` when it holds unsafe characters. */
export function commentSqlIdent(name: string): string {
  const plain = quoteIdent(name); // validates: empty names and NUL are refused
  return isCommentSafe(name) ? plain : unicodeEscaped(name, '"');
}

/** `"schema"."name"` for SQL shown in a comment (see commentSqlIdent). */
export function commentSqlQualified(name: string, schema?: string): string {
  if (isCommentSafe(name) && (schema === undefined || isCommentSafe(schema))) return qualifiedName(name, schema);
  return schema ? `${commentSqlIdent(schema)}.${commentSqlIdent(name)}` : commentSqlIdent(name);
}

/**
 * A string literal for SQL shown in a comment: `'value'`, or `U&'...'` when it holds unsafe
 * characters (U& string literals need standard_conforming_strings = on, the default since 9.1).
 */
export function commentSqlLiteral(value: string): string {
  const plain = quoteLiteral(value);
  return isCommentSafe(value) ? plain : unicodeEscaped(value, "'");
}
