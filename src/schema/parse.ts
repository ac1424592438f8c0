/**
 * Tokenizer and parser for Prisma schema files, producing the syntax tree of `ast.ts`.
 *
 * Prisma's own validator has already accepted the text (see validate.ts), so this parser does not
 * try to explain mistakes; it only has to read every schema Prisma reads, the same way. Anything
 * it does not understand is a `SchemaSyntaxError` naming `file:line:column`, never a TypeError.
 *
 * Grammar notes (from Prisma's pest grammar, psl/schema-ast/src/parser/datamodel.pest, and from
 * what Prisma 7 accepts):
 * - Declarations are line-based: a field, enum value, `@@attribute` or `key = value` ends at the
 *   newline; `{` ends its line (Prisma ignores anything after it on that line).
 * - Comments: `//`, `///` (documentation), and `/* ... *\/` anywhere, including inside models;
 *   Prisma 7 treats a block comment before a declaration as its documentation, and so do we.
 * - Strings are JSON-like: `\"`, `\\`, `\n`, `\t`, `\uXXXX`, ... on one line.
 * - Identifiers: Prisma's rule (identifier.ts): a Unicode letter or ASCII digit, then letters,
 *   ASCII digits, `_` and `-` (`état`, `名前`).
 * - Expressions: strings, numbers, paths (`Cascade`, `db.VarChar`), arrays, calls with positional
 *   and named arguments, and Prisma 7's `{ key: value }` objects (in `where:`).
 *
 * Speed matters (this runs in a git hook on 300 kB schemas, mostly before the JIT has warmed up):
 * tokens live in typed arrays, identifiers and numbers are scanned by sticky regular expressions,
 * and only blocks, fields, attributes and closing braces get `Span` objects.
 */
import type { Span } from '../model/types';
import type {
  Argument,
  Attribute,
  Block,
  ConfigBlock,
  ConfigProperty,
  EnumBlock,
  EnumValue,
  Expression,
  FieldDeclaration,
  FieldType,
  ModelBlock,
  ObjectEntry,
  SchemaFile,
} from './ast';

/** A schema idxgen cannot read or model; the message starts with `file:line:column:`. */
export class SchemaError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(file: string, line: number, column: number, reason: string) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'SchemaError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** The text does not follow Prisma's schema grammar (as far as this parser reads it). */
export class SchemaSyntaxError extends SchemaError {
  constructor(file: string, line: number, column: number, reason: string) {
    super(file, line, column, reason);
    this.name = 'SchemaSyntaxError';
  }
}

/**
 * Valid Prisma that idxgen or PostgreSQL cannot take: a database name PostgreSQL cannot store
 * (empty, or holding a NUL byte), or nesting deeper than idxgen reads. Bad input (exit 2), unlike
 * the other schema errors, which mean idxgen disagrees with Prisma's validator (a bug).
 */
export class SchemaLimitError extends SchemaError {
  constructor(file: string, line: number, column: number, reason: string) {
    super(file, line, column, reason);
    this.name = 'SchemaLimitError';
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

export const TokenKind = {
  identifier: 0,
  number: 1,
  string: 2,
  newline: 3,
  comment: 4,
  docComment: 5,
  blockComment: 6,
  unknown: 7,
  eof: 8,
  // Punctuation: one kind per symbol, so the parser compares small integers, not strings.
  lbrace: 10,
  rbrace: 11,
  lparen: 12,
  rparen: 13,
  lbracket: 14,
  rbracket: 15,
  comma: 16,
  colon: 17,
  equals: 18,
  question: 19,
  bang: 20,
  dot: 21,
  at: 22,
  atat: 23,
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

// The kinds by short names: values and the end, newlines and comments, brackets, other punctuation.
const { identifier: IDENT, number: NUMBER, string: STRING, unknown: UNKNOWN, eof: EOF } = TokenKind;
const { newline: NEWLINE, comment: COMMENT, docComment: DOC_COMMENT, blockComment: BLOCK_COMMENT } = TokenKind;
const { lbrace: LBRACE, rbrace: RBRACE, lparen: LPAREN, rparen: RPAREN } = TokenKind;
const { lbracket: LBRACKET, rbracket: RBRACKET } = TokenKind;
const { comma: COMMA, colon: COLON, equals: EQUALS, question: QUESTION, bang: BANG } = TokenKind;
const { dot: DOT, at: AT, atat: ATAT } = TokenKind;

const KIND_NAMES: Record<number, string> = {
  [NEWLINE]: 'the end of the line',
  [COMMENT]: 'a comment',
  [DOC_COMMENT]: 'a doc comment',
  [BLOCK_COMMENT]: 'a block comment',
  [EOF]: 'the end of the file',
};

/** ASCII code → punctuation kind (0: not punctuation). `@` is handled apart (`@` / `@@`). */
const PUNCTUATION = new Uint8Array(128);
for (const [ch, kind] of [
  ['{', LBRACE],
  ['}', RBRACE],
  ['(', LPAREN],
  [')', RPAREN],
  ['[', LBRACKET],
  [']', RBRACKET],
  [',', COMMA],
  [':', COLON],
  ['=', EQUALS],
  ['?', QUESTION],
  ['!', BANG],
  ['.', DOT],
] as const) {
  PUNCTUATION[ch.charCodeAt(0)] = kind;
}

/**
 * The tokens of one file, stored column-wise (one typed array per property) so a 300 kB schema
 * does not allocate an object per token. Whitespace is dropped; newlines and comments are kept.
 */
export interface Tokens {
  count: number;
  kinds: Uint8Array;
  /** 0-based UTF-16 offsets; `ends` is exclusive. */
  starts: Int32Array;
  ends: Int32Array;
  /**
   * Identifier / number as written; punctuation as written; the resolved value of a string; the
   * text of a comment without its markers; '' at the end of the file.
   */
  texts: string[];
  /** Offset at which each line starts (line 1 at index 0). */
  lineStarts: Int32Array;
}

class TokenWriter {
  count = 0;
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  texts: string[];

  constructor(capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.texts = new Array<string>(capacity);
  }

  push(kind: TokenKind, text: string, start: number, end: number): void {
    if (this.count === this.kinds.length) this.grow();
    const i = this.count++;
    this.kinds[i] = kind;
    this.starts[i] = start;
    this.ends[i] = end;
    this.texts[i] = text;
  }

  /** The texts, trimmed to the tokens written. */
  finish(): string[] {
    this.texts.length = this.count;
    return this.texts;
  }

  private grow(): void {
    const size = this.kinds.length * 2;
    const kinds = new Uint8Array(size);
    kinds.set(this.kinds);
    const starts = new Int32Array(size);
    starts.set(this.starts);
    const ends = new Int32Array(size);
    ends.set(this.ends);
    this.kinds = kinds;
    this.starts = starts;
    this.ends = ends;
    this.texts.length = size;
  }
}

/**
 * The rest of an identifier (identifier.ts) after its first character. ASCII first: `/u` with
 * `\p{L}` scans several times slower, so it only runs from the first non-ASCII character on. The
 * `\p{L}` expressions are built on first use (~0.2 ms each; most schemas name everything in ASCII).
 */
const ASCII_IDENT_REST_RE = /[A-Za-z0-9_-]*/y;
let identRestRe: RegExp | undefined;
/** A number (the caller checks that no identifier character follows: `1abc` is an identifier). */
const NUMBER_RE = /-?[0-9]+(?:\.[0-9]+)?/y;
/** A letter outside ASCII (identifier.ts): the tokenizer tests ASCII by char code first. */
let nonAsciiLetter: RegExp | undefined;
const LINE_REST_RE = /[^\r\n]*/y;
/** A JSON-like string literal, on one line. */
const STRING_RE = /"(?:[^"\\\r\n]|\\[^\r\n])*"/y;

/** Adds the starts of the lines that begin inside `content[from, to)` (a block comment). */
function addLineStartsWithin(content: string, from: number, to: number, lineStarts: number[]): void {
  for (let k = from; k < to; k++) {
    const c = content.charCodeAt(k);
    if (c === 10 || (c === 13 && content.charCodeAt(k + 1) !== 10)) lineStarts.push(k + 1);
  }
}

/** 1-based line and column of an offset, by binary search in `lineStarts`. */
export function positionAt(lineStarts: Int32Array, offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

/** The Span of offsets `start`..`end` in a parsed file (for the nodes that carry only offsets). */
export function spanAt(file: SchemaFile, start: number, end: number): Span {
  const a = positionAt(file.lineStarts, start);
  const b = positionAt(file.lineStarts, end);
  return {
    file: file.path,
    line: a.line,
    column: a.column,
    endLine: b.line,
    endColumn: b.column,
    offset: start,
    endOffset: end,
  };
}

/** Splits a schema file into tokens. */
export function tokenize(file: string, content: string): Tokens {
  const n = content.length;
  // ~1 token per 6.5 characters in real schemas; growing is rare.
  const out = new TokenWriter(Math.max(64, n >> 2));
  // Line starts are collected on the way: at each newline token, and inside block comments.
  const lineStarts: number[] = [0];
  const fail = (at: number, message: string): never => {
    const { line, column } = positionAt(new Int32Array(lineStarts), at);
    throw new SchemaSyntaxError(file, line, column, message);
  };

  let i = content.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < n) {
    const c = content.charCodeAt(i);

    if (c === 32 || c === 9) {
      i++;
      while (i < n) {
        const w = content.charCodeAt(i);
        if (w !== 32 && w !== 9) break;
        i++;
      }
      continue;
    }

    if (c === 10 || c === 13) {
      const end = c === 13 && content.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
      out.push(NEWLINE, '\n', i, end);
      lineStarts.push(end);
      i = end;
      continue;
    }

    // Identifiers (and numbers): a letter or digit first. The regular expressions scan natively,
    // which matters before the JIT has warmed up.
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c > 127 && isLetterAt(content, i))) {
      const end = identifierEnd(content, c > 0xffff || (c >= 0xd800 && c <= 0xdbff) ? i + 2 : i + 1);
      out.push(IDENT, content.slice(i, end), i, end);
      i = end;
      continue;
    }
    if ((c >= 48 && c <= 57) || c === 45 /* - */) {
      NUMBER_RE.lastIndex = i;
      if (NUMBER_RE.test(content)) {
        const end = NUMBER_RE.lastIndex;
        if (!continuesIdentifier(content, end)) {
          out.push(NUMBER, content.slice(i, end), i, end);
          i = end;
          continue;
        }
      }
      if (c !== 45) {
        // An identifier that starts with a digit (Prisma's grammar allows it).
        const end = identifierEnd(content, i + 1);
        out.push(IDENT, content.slice(i, end), i, end);
        i = end;
        continue;
      }
    }

    if (c === 47 /* / */) {
      const next = content.charCodeAt(i + 1);
      if (next === 47) {
        const isDoc = content.charCodeAt(i + 2) === 47;
        LINE_REST_RE.lastIndex = i;
        LINE_REST_RE.test(content);
        const end = LINE_REST_RE.lastIndex;
        out.push(isDoc ? DOC_COMMENT : COMMENT, content.slice(i + (isDoc ? 3 : 2), end), i, end);
        i = end;
        continue;
      }
      if (next === 42 /* * */) {
        const close = content.indexOf('*/', i + 2);
        if (close < 0) fail(i, 'unterminated block comment');
        out.push(BLOCK_COMMENT, content.slice(i + 2, close), i, close + 2);
        addLineStartsWithin(content, i + 2, close, lineStarts);
        i = close + 2;
        continue;
      }
    }

    if (c === 34 /* " */) {
      STRING_RE.lastIndex = i;
      if (!STRING_RE.test(content)) fail(i, 'unterminated string');
      const end = STRING_RE.lastIndex;
      const raw = content.slice(i + 1, end - 1);
      const value = raw.indexOf('\\') < 0 ? raw : unescape(raw);
      if (value === undefined) fail(i, 'invalid escape sequence in string');
      out.push(STRING, value!, i, end);
      i = end;
      continue;
    }

    if (c === 64 /* @ */) {
      if (content.charCodeAt(i + 1) === 64) {
        out.push(ATAT, '@@', i, i + 2);
        i += 2;
      } else {
        out.push(AT, '@', i, i + 1);
        i++;
      }
      continue;
    }

    const punctuation = c < 128 ? PUNCTUATION[c]! : 0;
    if (punctuation !== 0) {
      out.push(punctuation as TokenKind, content[i]!, i, i + 1);
      i++;
      if (punctuation === LBRACE && opensBlock(out)) {
        // Prisma ignores the rest of a block's opening line (BLOCK_OPEN in its grammar), even a
        // `/*` there: it neither starts a comment nor needs closing.
        LINE_REST_RE.lastIndex = i;
        LINE_REST_RE.test(content);
        i = LINE_REST_RE.lastIndex;
      }
      continue;
    }
    if (c === 11 || c === 12 || (c > 127 && /\s/.test(content[i]!))) {
      i++; // other whitespace (Prisma: any Unicode space separator)
      continue;
    }
    const ch = String.fromCodePoint(content.codePointAt(i)!);
    out.push(UNKNOWN, ch, i, i + ch.length);
    i += ch.length;
  }
  out.push(EOF, '', n, n);
  return {
    count: out.count,
    kinds: out.kinds,
    starts: out.starts,
    ends: out.ends,
    texts: out.finish(),
    lineStarts: new Int32Array(lineStarts),
  };
}

/** Keywords that open a block: `model A {`, `datasource db {`, ... */
const BLOCK_OPENERS = new Set(['model', 'view', 'type', 'enum', 'datasource', 'generator']);

/** Is the `{` just written the opening brace of a block (`keyword name {` at the start of a line)? */
function opensBlock(out: TokenWriter): boolean {
  const brace = out.count - 1;
  const keyword = brace - 2;
  if (
    keyword < 0 ||
    out.kinds[brace - 1] !== IDENT ||
    out.kinds[keyword] !== IDENT ||
    !BLOCK_OPENERS.has(out.texts[keyword]!)
  )
    return false;
  return keyword === 0 || out.kinds[keyword - 1] === NEWLINE;
}

/** End of the identifier whose rest starts at `i`. */
function identifierEnd(content: string, i: number): number {
  ASCII_IDENT_REST_RE.lastIndex = i;
  ASCII_IDENT_REST_RE.test(content);
  let end = ASCII_IDENT_REST_RE.lastIndex;
  if (content.charCodeAt(end) > 127) {
    identRestRe ??= /[\p{L}0-9_-]*/uy;
    identRestRe.lastIndex = end;
    identRestRe.test(content);
    end = identRestRe.lastIndex;
  }
  return end;
}

/** Whether an identifier character (letter, digit, `_`, `-`) is at `i`. */
function continuesIdentifier(content: string, i: number): boolean {
  const c = content.charCodeAt(i);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45) return true;
  return c > 127 && isLetterAt(content, i);
}

/** Whether a non-ASCII letter (possibly a surrogate pair) starts at `i`. */
function isLetterAt(content: string, i: number): boolean {
  nonAsciiLetter ??= /\p{L}/uy;
  nonAsciiLetter.lastIndex = i;
  return nonAsciiLetter.test(content);
}

/** Resolves the escapes of a string literal's content; undefined when one is invalid. */
function unescape(raw: string): string | undefined {
  let value = '';
  let chunk = 0;
  let i = raw.indexOf('\\');
  while (i >= 0) {
    value += raw.slice(chunk, i);
    const e = raw[i + 1];
    if (e === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      chunk = i + 2;
    } else if (e === 'u') {
      const hex = raw.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
      value += String.fromCharCode(parseInt(hex, 16));
      chunk = i + 6;
    } else {
      // Prisma rejects other escapes; keep the character so a lenient reading still makes sense.
      value += e;
      chunk = i + 2;
    }
    i = raw.indexOf('\\', chunk);
  }
  return value + raw.slice(chunk);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
};

// ---------------------------------------------------------------------------------------------
// Nesting limit
// ---------------------------------------------------------------------------------------------

/**
 * idxgen reads `(`, `[` and `{` nested at most this deep (a block's own braces count). Real schemas
 * stay below 5; Prisma accepts deeper values in generator blocks, but its validator overflows its
 * stack from about 1,500 to 5,000 levels, depending on the stack left to it (measured on 7.10:
 * "memory access out of bounds" or "Maximum call stack size exceeded"). Checked before Prisma's
 * validator runs, so it never gets that far, and by the parser, whose recursion it bounds.
 */
export const MAX_NESTING = 256;

export interface NestingPoint {
  depth: number;
  /** 1-based, counted as the tokenizer counts (`\n`, `\r\n` and `\r` end a line). */
  line: number;
  column: number;
}

/** Up to the next character findNesting looks at (a bracket, a quote, a slash). */
const NESTING_PLAIN_RE = /[^()[\]{}"/]*/y;
/** The rest of a string after its opening quote: up to its closing quote, or the end of the line. */
const STRING_REST_RE = /(?:[^"\\\r\n]|\\[^\r\n])*"?/y;
const LINE_END_RE = /\r\n?|\n/g;

/**
 * The first bracket that opens level `limit + 1`, or else the deepest point, outside strings and
 * comments. A scan that never throws (it runs before anything has validated the text). It jumps
 * from bracket to bracket with sticky regular expressions, which scan natively: a loop over every
 * character runs in the interpreter on a short command (~10 ms on civitai's 290 kB, 1.8 ms so).
 */
export function findNesting(content: string, limit = MAX_NESTING): NestingPoint {
  const n = content.length;
  let depth = 0;
  let deepest = 0;
  let deepestAt = -1;
  let i = 0;
  for (;;) {
    NESTING_PLAIN_RE.lastIndex = i;
    NESTING_PLAIN_RE.test(content);
    i = NESTING_PLAIN_RE.lastIndex;
    if (i >= n) break;
    const c = content.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        deepestAt = i;
        if (depth > limit) break;
      }
      i++;
    } else if (c === 41 || c === 93 || c === 125) {
      if (depth > 0) depth--;
      i++;
    } else if (c === 34 /* " */) {
      STRING_REST_RE.lastIndex = i + 1;
      STRING_REST_RE.test(content);
      i = STRING_REST_RE.lastIndex;
    } else {
      // A slash: a line comment, a block comment, or a slash.
      const next = content.charCodeAt(i + 1);
      if (next === 47) {
        const end = lineEnd(content, i);
        i = end < 0 ? n : end;
      } else if (next === 42) {
        const close = content.indexOf('*/', i + 2);
        i = close < 0 ? n : close + 2;
      } else i++;
    }
  }
  if (deepestAt < 0) return { depth: 0, line: 1, column: 1 };
  // Lines as the tokenizer counts them (`\n`, `\r\n` and `\r`), up to the deepest point.
  let line = 1;
  let lineStart = 0;
  LINE_END_RE.lastIndex = 0;
  for (let m = LINE_END_RE.exec(content); m !== null && m.index < deepestAt; m = LINE_END_RE.exec(content)) {
    line++;
    lineStart = LINE_END_RE.lastIndex;
  }
  return { depth: deepest, line, column: deepestAt - lineStart + 1 };
}

/** Offset of the first `\r` or `\n` from `from` on, or -1. */
function lineEnd(content: string, from: number): number {
  LINE_END_RE.lastIndex = from;
  const m = LINE_END_RE.exec(content);
  return m === null ? -1 : m.index;
}

/** The message for nesting past `MAX_NESTING` (the same from the pre-check and from the parser). */
export function nestingLimitMessage(): string {
  return `brackets nested more than ${MAX_NESTING} levels deep: idxgen reads at most ${MAX_NESTING} (Prisma's own validator crashes on deep nesting). Instead, flatten this value`;
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/** Parses one schema file. Throws `SchemaSyntaxError` (with file:line:column) on what it cannot read. */
export function parseSchema(path: string, content: string): SchemaFile {
  const tokens = tokenize(path, content);
  const parser = new Parser(path, tokens);
  return { path, content, lineStarts: tokens.lineStarts, blocks: parser.parseFile() };
}

const BLOCK_KEYWORDS = new Set(['model', 'view', 'type', 'enum', 'datasource', 'generator']);

/** A token is referred to by its index in `Tokens`. */
type Tok = number;

/** Shared by every attribute without arguments and every field without attributes (most). */
const NO_ARGUMENTS: readonly Argument[] = Object.freeze([]);
const NO_ATTRIBUTES: readonly Attribute[] = Object.freeze([]);

function isTrivia(kind: number): boolean {
  return kind === BLOCK_COMMENT || kind === NEWLINE || kind === COMMENT || kind === DOC_COMMENT;
}

class Parser {
  private pos = 0;
  private readonly kinds: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly texts: string[];
  private readonly lineStarts: Int32Array;
  /** Line index of the last position looked up: spans are requested in ascending order. */
  private lineHint = 0;
  /** Open `(`, `[`, `{` (a block's braces count), bounded by MAX_NESTING. */
  private depth = 0;
  /**
   * The items of the lists being read (nested ones above their parents), up to `pendingTop`. A
   * list is copied out at its exact length: an array grown by `push` from `[]` holds 17 slots, and
   * most lists here hold one or two items that outlive the young generation (civitai: 0.7 MB less
   * promoted to the old generation, ~190 fewer page faults; BENCHMARKS.md, "sixth session").
   */
  private readonly pending: unknown[] = [];
  private pendingTop = 0;

  constructor(
    private readonly file: string,
    tokens: Tokens,
  ) {
    this.kinds = tokens.kinds;
    this.starts = tokens.starts;
    this.ends = tokens.ends;
    this.texts = tokens.texts;
    this.lineStarts = tokens.lineStarts;
  }

  // -- token access ----------------------------------------------------------------------------

  /** The next token that is not a block comment (block comments are trivia inside a line). */
  private peekInline(): Tok {
    while (this.kinds[this.pos] === BLOCK_COMMENT) this.pos++;
    return this.pos;
  }

  /** Inside `(...)`, `[...]` and `{...}` expressions newlines and comments are trivia too. */
  private peekGrouped(): Tok {
    while (isTrivia(this.kinds[this.pos]!)) this.pos++;
    return this.pos;
  }

  private expect(t: Tok, kind: TokenKind, text: string, what: string): Tok {
    if (this.kinds[t] !== kind) this.fail(t, `expected \`${text}\` ${what}, found ${this.describe(t)}`);
    this.pos = t + 1;
    return t;
  }

  /** Enters one level of brackets at token `t` (the opening one). */
  private enter(t: Tok): void {
    if (++this.depth > MAX_NESTING) {
      const { line, column } = positionAt(this.lineStarts, this.starts[t]!);
      throw new SchemaLimitError(this.file, line, column, nestingLimitMessage());
    }
  }

  private fail(t: Tok, message: string): never {
    const { line, column } = positionAt(this.lineStarts, this.starts[t]!);
    throw new SchemaSyntaxError(this.file, line, column, message);
  }

  private failAt(offset: number, message: string): never {
    const { line, column } = positionAt(this.lineStarts, offset);
    throw new SchemaSyntaxError(this.file, line, column, message);
  }

  private describe(t: Tok): string {
    const kind = this.kinds[t]!;
    const named = KIND_NAMES[kind];
    if (named !== undefined) return named;
    if (kind === STRING) return `string ${JSON.stringify(this.texts[t])}`;
    return `\`${this.texts[t]}\``;
  }

  /** Index of the line holding `offset` (0-based), trying the last answer and its successor first. */
  private lineIndex(offset: number): number {
    const starts = this.lineStarts;
    const last = starts.length - 1;
    const i = this.lineHint;
    if (starts[i]! <= offset) {
      if (i === last || starts[i + 1]! > offset) return i;
      if (i + 1 === last || starts[i + 2]! > offset) return (this.lineHint = i + 1);
    }
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return (this.lineHint = lo);
  }

  private spanOffsets(offset: number, endOffset: number): Span {
    const l1 = this.lineIndex(offset);
    const column = offset - this.lineStarts[l1]! + 1;
    const l2 = this.lineIndex(endOffset);
    const endColumn = endOffset - this.lineStarts[l2]! + 1;
    return { file: this.file, line: l1 + 1, column, endLine: l2 + 1, endColumn, offset, endOffset };
  }

  /** From the start of token `from` to the end of token `to`. */
  private span(from: Tok, to: Tok): Span {
    return this.spanOffsets(this.starts[from]!, this.ends[to]!);
  }

  // -- file level ------------------------------------------------------------------------------

  parseFile(): Block[] {
    const blocks: Block[] = [];
    let docs: string[] = [];
    let atLineStart = true;
    for (;;) {
      const t = this.pos;
      const kind = this.kinds[t]!;
      if (kind === EOF) return blocks;
      if (kind === NEWLINE) {
        if (atLineStart && docs.length > 0) docs = []; // a blank line detaches documentation
        atLineStart = true;
        this.pos++;
        continue;
      }
      atLineStart = false;
      if (kind === DOC_COMMENT || kind === BLOCK_COMMENT || kind === COMMENT) {
        this.collectDocs(t, docs);
        this.pos++;
        continue;
      }
      if (kind === IDENT && BLOCK_KEYWORDS.has(this.texts[t]!)) {
        const block = this.parseBlock(t, docs);
        if (block) blocks.push(block);
        docs = [];
        continue;
      }
      this.fail(t, `expected a block (model, view, type, enum, datasource, generator), found ${this.describe(t)}`);
    }
  }

  private parseBlock(keyword: Tok, docs: string[]): Block | undefined {
    const keywordText = this.texts[keyword]!;
    this.pos = keyword + 1;
    const nameToken = this.peekInline();
    if (this.kinds[nameToken] !== IDENT)
      this.fail(nameToken, `expected a name after \`${keywordText}\`, found ${this.describe(nameToken)}`);
    const name = this.texts[nameToken]!;
    this.pos++;
    if (keywordText === 'type' && this.kinds[this.peekInline()] === EQUALS) {
      // A legacy type alias (`type X = String @db.Text`): not a table, nothing to model.
      this.skipLine();
      return undefined;
    }
    this.expect(this.peekInline(), LBRACE, '{', `to open ${keywordText} \`${name}\``);
    this.skipLine(); // Prisma ignores the rest of the line after `{`.
    const nameSpan = this.span(nameToken, nameToken);
    this.depth = 1;
    let block: Block;
    switch (keywordText) {
      case 'model':
      case 'view':
      case 'type':
        block = this.parseModelBody(keyword, keywordText, name, nameSpan, docs);
        break;
      case 'enum':
        block = this.parseEnumBody(keyword, name, nameSpan, docs);
        break;
      default:
        block = this.parseConfigBody(keyword, keywordText as ConfigBlock['kind'], name, nameSpan, docs);
    }
    this.depth = 0;
    return block;
  }

  /** Skips to the start of the next line. */
  private skipLine(): void {
    for (;;) {
      const kind = this.kinds[this.pos];
      if (kind === EOF) return;
      this.pos++;
      if (kind === NEWLINE) return;
    }
  }

  /**
   * Walks the lines of a block body. `onItem` is called with the first token of each declaration
   * line and the documentation collected before it; it must consume the line. Returns the `}`.
   */
  private parseBody(keyword: Tok, name: string, onItem: (first: Tok, docs: string[]) => void): Tok {
    let docs: string[] = [];
    let atLineStart = true;
    for (;;) {
      const t = this.pos;
      const kind = this.kinds[t]!;
      if (kind === NEWLINE) {
        if (atLineStart && docs.length > 0) docs = []; // a blank line detaches documentation
        atLineStart = true;
        this.pos++;
        continue;
      }
      if (kind === DOC_COMMENT || kind === BLOCK_COMMENT || kind === COMMENT) {
        this.collectDocs(t, docs);
        atLineStart = false;
        this.pos++;
        continue;
      }
      if (kind === RBRACE) {
        this.pos++;
        return t;
      }
      if (kind === EOF) this.fail(keyword, `\`${this.texts[keyword]} ${name}\` is not closed (missing \`}\`)`);
      onItem(t, docs); // consumes the line, newline included
      if (docs.length > 0) docs = [];
      atLineStart = true;
    }
  }

  private parseModelBody(
    keyword: Tok,
    kind: ModelBlock['kind'],
    name: string,
    nameSpan: Span,
    docs: string[],
  ): ModelBlock {
    const fields: FieldDeclaration[] = [];
    const { attributes, close } = this.parseMembers(
      keyword,
      name,
      `a field or a block attribute in ${kind} \`${name}\``,
      (first, itemDocs) => {
        fields.push(this.parseField(first, itemDocs));
      },
    );
    return {
      kind,
      name,
      nameSpan,
      fields,
      attributes,
      docs,
      span: this.span(keyword, close),
      closeSpan: this.span(close, close),
    };
  }

  private parseEnumBody(keyword: Tok, name: string, nameSpan: Span, docs: string[]): EnumBlock {
    const values: EnumValue[] = [];
    const { attributes, close } = this.parseMembers(
      keyword,
      name,
      `an enum value in enum \`${name}\``,
      (first, itemDocs) => {
        this.pos = first + 1;
        const valueAttributes = this.parseFieldAttributes();
        const end =
          valueAttributes.length > 0 ? valueAttributes[valueAttributes.length - 1]!.span.endOffset : this.ends[first]!;
        const span = this.spanOffsets(this.starts[first]!, end);
        const valueDocs = itemDocs.slice();
        this.endLine(valueDocs);
        values.push({ name: this.texts[first]!, attributes: valueAttributes, docs: valueDocs, span });
      },
    );
    return {
      kind: 'enum',
      name,
      nameSpan,
      values,
      attributes,
      docs,
      span: this.span(keyword, close),
      closeSpan: this.span(close, close),
    };
  }

  /**
   * A model's or an enum's body: block attributes (`@@...`, collected here) and members (a field,
   * an enum value) that `onMember` reads from their first identifier. Anything else fails with
   * "expected <expected>".
   */
  private parseMembers(
    keyword: Tok,
    name: string,
    expected: string,
    onMember: (first: Tok, docs: string[]) => void,
  ): { attributes: Attribute[]; close: Tok } {
    const attributes: Attribute[] = [];
    const close = this.parseBody(keyword, name, (first, itemDocs) => {
      const k = this.kinds[first];
      if (k === ATAT) {
        attributes.push(this.parseAttribute(first));
        this.endLine(undefined);
      } else if (k === IDENT) {
        onMember(first, itemDocs);
      } else {
        this.fail(first, `expected ${expected}, found ${this.describe(first)}`);
      }
    });
    return { attributes, close };
  }

  private parseConfigBody(
    keyword: Tok,
    kind: ConfigBlock['kind'],
    name: string,
    nameSpan: Span,
    docs: string[],
  ): ConfigBlock {
    const properties: ConfigProperty[] = [];
    const close = this.parseBody(keyword, name, (first) => {
      if (this.kinds[first] !== IDENT)
        this.fail(first, `expected \`key = value\` in ${kind} \`${name}\`, found ${this.describe(first)}`);
      const key = this.texts[first]!;
      this.pos = first + 1;
      this.expect(this.peekInline(), EQUALS, '=', `after \`${key}\``);
      const value = this.parseExpression(false);
      properties.push({ key, value, span: this.spanOffsets(this.starts[first]!, value.end) });
      this.endLine(undefined);
    });
    return {
      kind,
      name,
      nameSpan,
      properties,
      docs,
      span: this.span(keyword, close),
      closeSpan: this.span(close, close),
    };
  }

  /** Consumes an optional trailing comment and the newline ending a declaration. */
  private endLine(docs: string[] | undefined): void {
    for (;;) {
      const t = this.pos;
      const kind = this.kinds[t]!;
      if (kind === NEWLINE) {
        this.pos++;
        return;
      }
      if (kind === BLOCK_COMMENT || kind === COMMENT || kind === DOC_COMMENT) {
        if (docs) this.collectDocs(t, docs);
        this.pos++;
        continue;
      }
      if (kind === EOF) return;
      this.fail(t, `expected the end of the line, found ${this.describe(t)}`);
    }
  }

  /** Adds what a comment token contributes to documentation (`//` comments contribute nothing). */
  private collectDocs(t: Tok, docs: string[]): void {
    const kind = this.kinds[t];
    if (kind === DOC_COMMENT) docs.push(this.texts[t]!.trim());
    else if (kind === BLOCK_COMMENT) docs.push(...blockCommentDocs(this.texts[t]!));
  }

  // -- fields and attributes -------------------------------------------------------------------

  private parseField(nameToken: Tok, itemDocs: string[]): FieldDeclaration {
    this.pos = nameToken + 1;
    if (this.kinds[this.peekInline()] === COLON) this.pos++; // legacy `name: Type`
    const type = this.parseFieldType();
    const attributes = this.parseFieldAttributes();
    const end =
      attributes.length > 0
        ? attributes[attributes.length - 1]!.span.endOffset
        : type
          ? type.end
          : this.ends[nameToken]!;
    const span = this.spanOffsets(this.starts[nameToken]!, end);
    const docs = itemDocs.length > 0 ? itemDocs.slice() : [];
    this.endLine(docs);
    // `type` is always present (possibly undefined) so every field object has the same shape.
    return { name: this.texts[nameToken]!, type, attributes, docs, span };
  }

  private parseFieldType(): FieldType | undefined {
    const t = this.peekInline();
    let legacyList = false;
    let first = t;
    if (this.kinds[t] === LBRACKET) {
      legacyList = true;
      this.pos++;
      first = this.peekInline();
    }
    if (this.kinds[first] !== IDENT) {
      if (legacyList) this.fail(first, `expected a type name, found ${this.describe(first)}`);
      return undefined;
    }
    this.pos = first + 1;
    let name = this.texts[first]!;
    let unsupported = false;
    let last = first;
    if (name === 'Unsupported' && this.kinds[this.peekInline()] === LPAREN) {
      this.pos++;
      const s = this.peekInline();
      if (this.kinds[s] !== STRING) this.fail(s, `expected a string in Unsupported(...), found ${this.describe(s)}`);
      this.pos++;
      last = this.expect(this.peekInline(), RPAREN, ')', 'to close Unsupported(');
      name = this.texts[s]!;
      unsupported = true;
    }
    let list = legacyList;
    let optional = false;
    if (legacyList) {
      last = this.expect(this.peekInline(), RBRACKET, ']', 'to close the list type');
    } else {
      const kinds = this.kinds;
      if (kinds[this.pos] === LBRACKET && kinds[this.pos + 1] === RBRACKET) {
        last = this.pos + 1;
        this.pos += 2;
        list = true;
      }
      if (kinds[this.pos] === QUESTION) {
        last = this.pos++;
        optional = true;
      } else if (kinds[this.pos] === BANG) {
        last = this.pos++; // legacy "required" marker
      }
    }
    return { name, unsupported, optional, list, start: this.starts[t]!, end: this.ends[last]! };
  }

  private parseFieldAttributes(): readonly Attribute[] {
    let t = this.peekInline();
    if (this.kinds[t] !== AT) return NO_ATTRIBUTES;
    const base = this.pendingTop;
    do {
      const attribute = this.parseAttribute(t); // may read lists of its own above `base`
      this.pending[this.pendingTop++] = attribute;
      t = this.peekInline();
    } while (this.kinds[t] === AT);
    return this.takePending<Attribute>(base);
  }

  /** The items pushed since `base`, as an array of their own; pops them. */
  private takePending<T>(base: number): T[] {
    const items = this.pending.slice(base, this.pendingTop) as T[];
    this.pendingTop = base;
    return items;
  }

  /** `@name`, `@name(args)`, `@@name(args)`; `at` is the `@` or `@@` token. */
  private parseAttribute(at: Tok): Attribute {
    this.pos = at + 1;
    const first = this.pos;
    if (this.kinds[first] !== IDENT || this.starts[first] !== this.ends[at]) {
      this.fail(first, `expected a name after \`${this.texts[at]}\`, found ${this.describe(first)}`);
    }
    // `db.VarChar`: identifiers joined by `.`, nothing in between.
    let name = this.texts[first]!;
    let last = first;
    this.pos++;
    while (
      this.kinds[this.pos] === DOT &&
      this.kinds[this.pos + 1] === IDENT &&
      this.starts[this.pos] === this.ends[last]
    ) {
      name += `.${this.texts[this.pos + 1]}`;
      last = this.pos + 1;
      this.pos += 2;
    }
    let args: readonly Argument[] = NO_ARGUMENTS;
    let hasArgs = false;
    let end = this.ends[last]!;
    if (this.kinds[this.peekInline()] === LPAREN) {
      hasArgs = true;
      args = this.parseArguments();
      end = this.ends[this.pos - 1]!;
    }
    return { name, block: this.kinds[at] === ATAT, args, hasArgs, span: this.spanOffsets(this.starts[at]!, end) };
  }

  // -- expressions -----------------------------------------------------------------------------

  /** `( arg, name: value, name:, ... )`; the next token is `(`. Leaves `pos` just after `)`. */
  private parseArguments(): readonly Argument[] {
    const open = this.expect(this.peekInline(), LPAREN, '(', 'to start the arguments');
    const { items } = this.parseList(open, RPAREN, 'between arguments', (t) => this.parseArgument(t));
    return items.length === 0 ? NO_ARGUMENTS : items; // `now()`, `cuid()`, ...
  }

  /**
   * The comma-separated items after the opening bracket at `open` up to the closing `close`
   * (a trailing comma allowed), each read by `item` from its first token. Leaves `pos` just after
   * the closing bracket and returns it with the items.
   */
  private parseList<T>(
    open: Tok,
    close: TokenKind,
    between: string,
    item: (first: Tok) => T,
  ): { items: T[]; close: Tok } {
    this.enter(open);
    this.pos = open + 1;
    const base = this.pendingTop;
    for (;;) {
      let n = this.peekGrouped();
      if (this.kinds[n] === close) {
        this.pos++;
        this.depth--;
        return { items: this.takePending<T>(base), close: n };
      }
      if (this.pendingTop > base) {
        this.expect(n, COMMA, ',', between);
        n = this.peekGrouped();
        if (this.kinds[n] === close) continue; // trailing comma
      }
      const value = item(n);
      this.pending[this.pendingTop++] = value;
    }
  }

  private parseArgument(t: Tok): Argument {
    if (this.kinds[t] === IDENT && this.kinds[t + 1] === COLON) {
      this.pos = t + 2;
      const v = this.peekGrouped();
      const start = this.starts[t]!;
      if (this.kinds[v] === COMMA || this.kinds[v] === RPAREN)
        return { name: this.texts[t]!, start, end: this.ends[t + 1]! };
      const value = this.parseExpression(true);
      return { name: this.texts[t]!, value, start, end: value.end };
    }
    const value = this.parseExpression(true);
    return { value, start: value.start, end: value.end };
  }

  private parseExpression(grouped: boolean): Expression {
    const t = grouped ? this.peekGrouped() : this.peekInline();
    const kind = this.kinds[t];
    const start = this.starts[t]!;
    switch (kind) {
      case STRING:
        this.pos++;
        return { kind: 'string', value: this.texts[t]!, start, end: this.ends[t]! };
      case NUMBER:
        this.pos++;
        return { kind: 'number', text: this.texts[t]!, start, end: this.ends[t]! };
      case IDENT: {
        this.pos++;
        let name = this.texts[t]!;
        let last = t;
        while (this.kinds[this.pos] === DOT && this.kinds[this.pos + 1] === IDENT) {
          name += `.${this.texts[this.pos + 1]}`;
          last = this.pos + 1;
          this.pos += 2;
        }
        if (this.kinds[this.peekInline()] === LPAREN) {
          const args = this.parseArguments();
          return { kind: 'call', name, args, start, end: this.ends[this.pos - 1]! };
        }
        return { kind: 'path', name, start, end: this.ends[last]! };
      }
      case LBRACKET: {
        const list = this.parseList(t, RBRACKET, 'between list items', () => this.parseExpression(true));
        return { kind: 'array', items: list.items, start, end: this.ends[list.close]! };
      }
      case LBRACE: {
        const list = this.parseList(t, RBRACE, 'between object entries', (n): ObjectEntry => {
          if (this.kinds[n] !== IDENT && this.kinds[n] !== STRING)
            this.fail(n, `expected a key, found ${this.describe(n)}`);
          this.pos++;
          this.expect(this.peekGrouped(), COLON, ':', `after the key \`${this.texts[n]}\``);
          const value = this.parseExpression(true);
          return { key: this.texts[n]!, value, start: this.starts[n]!, end: value.end };
        });
        return { kind: 'object', entries: list.items, start, end: this.ends[list.close]! };
      }
    }
    return this.failAt(start, `expected a value, found ${this.describe(t)}`);
  }
}

/** The documentation lines of a block comment: `/** a\n * b *\/` → ['a', 'b']. */
function blockCommentDocs(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/).map((l) =>
    l
      .trim()
      .replace(/^\*+\s?/, '')
      .trim(),
  );
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
