/**
 * A restricted SQL boolean expression over one table's columns, for CHECK constraints written by
 * users (`/// @idxgen.check(...)`). User text never reaches SQL: it is tokenized, parsed into a
 * typed tree, and printed back in a canonical form in which every identifier goes through
 * `quoteIdent` and every string through `quoteLiteral`.
 *
 * Grammar (PostgreSQL precedence, lowest first):
 *
 *   expr     := or
 *   or       := and (OR and)*
 *   and      := not (AND not)*
 *   not      := NOT not | is
 *   is       := compare (IS [NOT] (NULL | TRUE | FALSE | DISTINCT FROM compare))*
 *   compare  := pred [(= | <> | != | < | <= | > | >=) pred]          -- not associative
 *   pred     := other [[NOT] BETWEEN other AND other | [NOT] IN (literal, ...) | [NOT] (LIKE | ILIKE) other]
 *   other    := add ((~ | ~* | !~ | !~*) add)*
 *   add      := mul ((+ | -) mul)*
 *   mul      := unary ((* | / | %) unary)*
 *   unary    := (- | +) unary | postfix
 *   postfix  := primary (:: type)*
 *   primary  := number | 'string' | TRUE | FALSE | NULL | column | function(args) | ( expr )
 *
 * Refused anywhere, even inside string literals: `;` (Prisma's statement splitter is naive and
 * would cut the statement there), dollar quotes (`$$`, `$tag$`), control characters. Refused
 * outside literals: comments, parameters, subqueries and statements, qualified names, operators
 * not listed above. Refused inside literals: `--`, `/*`, `*\/` (a naive splitter may take them for
 * comments). Functions: a whitelist of pure ones. Casts: `::text`, `::varchar`, `::integer`,
 * `::bigint`, `::smallint`, `::numeric`, `::boolean` (and their aliases), not from timestamps or
 * bytes, whose text form depends on session settings.
 *
 * The parser also type-checks (numbers, text, booleans, timestamps, jsonb, enums, arrays) so that
 * a constraint that PostgreSQL would reject when the migration runs is reported while editing the
 * schema instead; the top level must be boolean.
 */
import type { Column, EnumDef, Table } from '../model/types';
import { didYouMean } from './expr-suggest';
import { EXPRESSION_KEYWORDS, quoteIdent, quoteLiteral } from './quote';

// ------------------------------------------------------------------------------------------------
// Public types

export type ValueType =
  | { kind: 'bool' | 'number' | 'text' | 'timestamp' | 'jsonb' | 'json' | 'bytes' | 'unknown' | 'null' }
  /** An untyped string literal: PostgreSQL coerces it to the other side's type. */
  | { kind: 'literal' }
  | { kind: 'enum'; name: string; values?: readonly { name: string; dbName: string }[] }
  | { kind: 'array'; element: ValueType };

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';
export type MatchOp = '~' | '~*' | '!~' | '!~*' | 'LIKE' | 'ILIKE' | 'NOT LIKE' | 'NOT ILIKE';
export type FunctionName = keyof typeof FUNCTIONS;
export type CastType = 'text' | 'varchar' | 'integer' | 'bigint' | 'smallint' | 'numeric' | 'boolean';

interface Base {
  /** Offset of the node's first character in the source text. */
  offset: number;
  type: ValueType;
}

export type CheckExpr =
  | (Base & { kind: 'column'; column: string; field: string })
  | (Base & { kind: 'number'; text: string })
  | (Base & { kind: 'string'; value: string })
  | (Base & { kind: 'boolean'; value: boolean })
  | (Base & { kind: 'null' })
  | (Base & { kind: 'negate'; operand: CheckExpr })
  | (Base & { kind: 'not'; operand: CheckExpr })
  | (Base & { kind: 'logical'; op: 'AND' | 'OR'; operands: CheckExpr[] })
  | (Base & { kind: 'compare'; op: CompareOp; left: CheckExpr; right: CheckExpr })
  | (Base & { kind: 'arith'; op: ArithOp; left: CheckExpr; right: CheckExpr })
  | (Base & { kind: 'match'; op: MatchOp; left: CheckExpr; right: CheckExpr })
  | (Base & { kind: 'between'; negated: boolean; operand: CheckExpr; low: CheckExpr; high: CheckExpr })
  | (Base & { kind: 'in'; negated: boolean; operand: CheckExpr; list: CheckExpr[] })
  | (Base & { kind: 'is'; negated: boolean; operand: CheckExpr; test: 'NULL' | 'TRUE' | 'FALSE' })
  | (Base & { kind: 'distinct'; negated: boolean; left: CheckExpr; right: CheckExpr })
  | (Base & { kind: 'call'; name: FunctionName; args: CheckExpr[] })
  | (Base & { kind: 'cast'; operand: CheckExpr; target: CastType });

export interface CheckExpressionContext {
  table: Table;
  /** The schema's enums, to check and map enum literals (`'Active'` → its `@map` value). */
  enums?: readonly EnumDef[];
}

export type CheckExpressionResult =
  | {
      ok: true;
      /** Canonical SQL, every identifier quoted, without the surrounding `CHECK ( )`. */
      sql: string;
      /** Database names of the columns used, in order of first use. */
      columns: string[];
      /** Prisma field names of the same columns. */
      fields: string[];
      expr: CheckExpr;
    }
  | { ok: false; error: string; offset: number };

/** Longest expression accepted (characters). */
export const MAX_CHECK_EXPRESSION_LENGTH = 2000;
/** Deepest nesting accepted (parentheses, NOT chains, unary minus chains). */
export const MAX_CHECK_EXPRESSION_DEPTH = 48;

const CAST_TYPES: Record<string, CastType> = {
  text: 'text',
  varchar: 'varchar',
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  bigint: 'bigint',
  int8: 'bigint',
  smallint: 'smallint',
  int2: 'smallint',
  numeric: 'numeric',
  decimal: 'numeric',
  bool: 'boolean',
  boolean: 'boolean',
};

// ------------------------------------------------------------------------------------------------
// Entry points

export function parseCheckExpression(source: string, ctx: CheckExpressionContext): CheckExpressionResult {
  try {
    const tokens = tokenize(source);
    const parser = new Parser(tokens, ctx);
    const expr = parser.parseTop();
    return { ok: true, sql: renderCheckExpression(expr), columns: parser.columns, fields: parser.fields, expr };
  } catch (error) {
    if (error instanceof ExprError) return { ok: false, error: error.message, offset: error.offset };
    throw error;
  }
}

/** Canonical SQL for a parsed expression (what `parseCheckExpression` returns as `sql`). */
export function renderCheckExpression(expr: CheckExpr): string {
  switch (expr.kind) {
    case 'column':
      return quoteIdent(expr.column);
    case 'number':
      return expr.text;
    case 'string':
      return quoteLiteral(expr.value);
    case 'boolean':
      return expr.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    case 'negate':
      return `-${operand(expr.operand)}`;
    case 'not':
      return `NOT ${operand(expr.operand)}`;
    case 'logical':
      return expr.operands.map(operand).join(` ${expr.op} `);
    case 'compare':
    case 'arith':
    case 'match':
      return `${operand(expr.left)} ${expr.op} ${operand(expr.right)}`;
    case 'between':
      return `${operand(expr.operand)} ${expr.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${operand(expr.low)} AND ${operand(expr.high)}`;
    case 'in':
      return `${operand(expr.operand)} ${expr.negated ? 'NOT IN' : 'IN'} (${expr.list.map(renderCheckExpression).join(', ')})`;
    case 'is':
      return `${operand(expr.operand)} IS ${expr.negated ? 'NOT ' : ''}${expr.test}`;
    case 'distinct':
      return `${operand(expr.left)} IS ${expr.negated ? 'NOT ' : ''}DISTINCT FROM ${operand(expr.right)}`;
    case 'call':
      return `${expr.name}(${expr.args.map(renderCheckExpression).join(', ')})`;
    case 'cast': {
      const inner = expr.operand;
      const bare =
        inner.kind === 'column' || inner.kind === 'call' || inner.kind === 'string' || inner.kind === 'number';
      return `${bare ? renderCheckExpression(inner) : `(${renderCheckExpression(inner)})`}::${expr.target}`;
    }
  }
}

/** Children that are not atoms are parenthesized, so the printed form never depends on precedence. */
function operand(expr: CheckExpr): string {
  const atomic =
    expr.kind === 'column' ||
    expr.kind === 'number' ||
    expr.kind === 'string' ||
    expr.kind === 'boolean' ||
    expr.kind === 'null' ||
    expr.kind === 'call' ||
    expr.kind === 'cast' ||
    (expr.kind === 'negate' && expr.operand.kind === 'number');
  const text = renderCheckExpression(expr);
  return atomic ? text : `(${text})`;
}

/** The SQL type a column has, as far as the checker cares. */
export function columnValueType(column: Column, enums: readonly EnumDef[] = []): ValueType {
  const base = scalarValueType(column, enums);
  return column.list ? { kind: 'array', element: base } : base;
}

function scalarValueType(column: Column, enums: readonly EnumDef[]): ValueType {
  if (column.kind === 'enum') {
    const def = enums.find((e) => e.name === column.type);
    return def ? { kind: 'enum', name: column.type, values: def.values } : { kind: 'enum', name: column.type };
  }
  if (column.kind !== 'scalar') return { kind: 'unknown' };
  const native = column.nativeType?.name;
  switch (column.type) {
    case 'String':
      // uuid, inet, xml, bit strings: comparisons with literals work, text functions do not.
      return native && !['Text', 'VarChar', 'Char', 'Citext'].includes(native) ? { kind: 'unknown' } : { kind: 'text' };
    case 'Int':
    case 'BigInt':
    case 'Float':
    case 'Decimal':
      return native === 'Money' ? { kind: 'unknown' } : { kind: 'number' };
    case 'Boolean':
      return { kind: 'bool' };
    case 'DateTime':
      return { kind: 'timestamp' };
    case 'Json':
      return native === 'Json' ? { kind: 'json' } : { kind: 'jsonb' };
    case 'Bytes':
      return { kind: 'bytes' };
    default:
      return { kind: 'unknown' };
  }
}

// ------------------------------------------------------------------------------------------------
// Tokenizer

class ExprError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token =
  | { t: 'word'; text: string; start: number; end: number }
  | { t: 'quoted'; text: string; start: number; end: number }
  | { t: 'number'; text: string; start: number; end: number }
  | { t: 'string'; value: string; start: number; end: number }
  | { t: 'op'; text: string; start: number; end: number }
  | { t: 'eof'; start: number; end: number };

const OPERATORS = [
  '::',
  '<>',
  '!=',
  '<=',
  '>=',
  '!~*',
  '!~',
  '~*',
  '(',
  ')',
  ',',
  '=',
  '<',
  '>',
  '~',
  '+',
  '-',
  '*',
  '/',
  '%',
];

const CHAR_HINTS: Record<string, string> = {
  $: 'parameters and dollar quoting are not allowed',
  '.': 'qualified names are not allowed: write the column name alone',
  ':': 'parameters are not allowed (did you mean :: for a cast?)',
  '[': 'array subscripts are not supported: use array_length(col, 1) or cardinality(col)',
  ']': 'array subscripts are not supported',
  '|': 'the || and | operators are not supported',
  '&': 'the & and && operators are not supported',
  '!': 'use <> (not equal) or !~ (does not match)',
  '\\': 'backslashes are only allowed inside string literals',
  '@': 'operators such as @> and @@ are not supported (a CHECK over jsonb can use jsonb_typeof(col))',
  '#': 'operators such as #> and #>> are not supported',
  '?': 'the ? operators are not supported',
  '^': 'the ^ operator is not supported',
  '`': 'backquotes are not SQL: quote identifiers with "double quotes"',
  '{': 'braces are only allowed inside string literals',
  '}': 'braces are only allowed inside string literals',
};

function isIdentStart(ch: string): boolean {
  return /[\p{L}_]/u.test(ch);
}

function isIdentPart(ch: string): boolean {
  return /[\p{L}\p{N}_]/u.test(ch);
}

/**
 * The text of the quoted token that starts at `start` (a string literal or a quoted identifier,
 * whichever quote is there), with a doubled quote read as one; `end` is just after the closing quote.
 */
function readQuoted(source: string, start: number, unterminated: string): { text: string; end: number } {
  const quote = source[start]!;
  let text = '';
  let i = start + 1;
  for (;;) {
    if (i >= source.length) throw new ExprError(unterminated, start);
    const c = source[i]!;
    if (c === quote) {
      if (source[i + 1] !== quote) return { text, end: i + 1 };
      text += quote;
      i += 2;
      continue;
    }
    text += c;
    i++;
  }
}

function tokenize(source: string): Token[] {
  if (source.length > MAX_CHECK_EXPRESSION_LENGTH) {
    throw new ExprError(
      `the expression is longer than ${MAX_CHECK_EXPRESSION_LENGTH} characters`,
      MAX_CHECK_EXPRESSION_LENGTH,
    );
  }
  // Scanned on the raw text so that no quoting trick gets them through.
  const semicolon = source.indexOf(';');
  if (semicolon >= 0) {
    throw new ExprError(
      '`;` is not allowed anywhere in a CHECK expression, not even inside a string literal (Prisma splits migration.sql at every `;`)',
      semicolon,
    );
  }
  const dollar = /\$[\p{L}\p{N}_]*\$/u.exec(source);
  if (dollar)
    throw new ExprError(
      'dollar quoting (`$$`, `$tag$`) is not allowed, not even inside a string literal',
      dollar.index,
    );
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000b-\u001f\u007f]/.exec(source);
  if (control)
    throw new ExprError(
      `control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} is not allowed`,
      control.index,
    );

  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      i++;
      continue;
    }
    if (source.startsWith('--', i) || source.startsWith('/*', i)) {
      throw new ExprError('comments are not allowed in a CHECK expression', i);
    }
    if (ch === "'") {
      const start = i;
      const { text: value, end } = readQuoted(source, start, 'unterminated string literal');
      i = end;
      for (const marker of ['--', '/*', '*/']) {
        const at = value.indexOf(marker);
        if (at >= 0) {
          throw new ExprError(
            `\`${marker}\` is not allowed inside a string literal (a naive statement splitter may read it as a comment)`,
            start + 1 + at,
          );
        }
      }
      tokens.push({ t: 'string', value, start, end: i });
      continue;
    }
    if (ch === '"') {
      const start = i;
      const { text, end } = readQuoted(source, start, 'unterminated quoted identifier');
      i = end;
      if (text.length === 0) throw new ExprError('empty quoted identifier ""', start);
      tokens.push({ t: 'quoted', text, start, end: i });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(source.slice(i))!;
      const end = i + match[0].length;
      const next = source[end] ?? '';
      if (next && (isIdentPart(next) || next === '.')) {
        throw new ExprError(`invalid number ${JSON.stringify(source.slice(i, end + 1))}`, i);
      }
      tokens.push({ t: 'number', text: match[0].toLowerCase(), start: i, end });
      i = end;
      continue;
    }
    if (isIdentStart(ch)) {
      const start = i;
      while (i < source.length && isIdentPart(source[i]!)) i++;
      const text = source.slice(start, i);
      if (source[i] === "'") {
        throw new ExprError(
          `prefixed string literals (${text}'...') are not allowed: write a plain '...' literal`,
          start,
        );
      }
      if (source[i] === '$') throw new ExprError(CHAR_HINTS['$']!, i);
      tokens.push({ t: 'word', text, start, end: i });
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op) {
      tokens.push({ t: 'op', text: op, start: i, end: i + op.length });
      i += op.length;
      continue;
    }
    const hint = CHAR_HINTS[ch];
    throw new ExprError(
      hint ? `unexpected ${JSON.stringify(ch)}: ${hint}` : `unexpected character ${JSON.stringify(ch)}`,
      i,
    );
  }
  tokens.push({ t: 'eof', start: source.length, end: source.length });
  return tokens;
}

// ------------------------------------------------------------------------------------------------
// Parser + type checker

const KEYWORDS: ReadonlySet<string> = new Set([...EXPRESSION_KEYWORDS, 'between', 'like', 'ilike', 'distinct', 'from']);

const SUBQUERY = 'subqueries and SQL statements are not allowed in a CHECK expression';
const SESSION =
  'depends on the clock or the session: a CHECK constraint must give the same answer for a row forever (PostgreSQL checks it only when the row is written)';

const FORBIDDEN_WORDS: Record<string, string> = {
  select: SUBQUERY,
  with: SUBQUERY,
  values: SUBQUERY,
  table: SUBQUERY,
  exists: SUBQUERY,
  union: SUBQUERY,
  insert: SUBQUERY,
  update: SUBQUERY,
  delete: SUBQUERY,
  drop: SUBQUERY,
  create: SUBQUERY,
  alter: SUBQUERY,
  truncate: SUBQUERY,
  grant: SUBQUERY,
  revoke: SUBQUERY,
  into: SUBQUERY,
  returning: SUBQUERY,
  begin: SUBQUERY,
  commit: SUBQUERY,
  rollback: SUBQUERY,
  do: SUBQUERY,
  copy: SUBQUERY,
  any: 'ANY / ALL / SOME are not supported: use IN (...)',
  all: 'ANY / ALL / SOME are not supported: use IN (...)',
  some: 'ANY / ALL / SOME are not supported: use IN (...)',
  array: 'ARRAY[...] is not supported: use cardinality(col) or array_length(col, 1)',
  row: 'row constructors are not supported',
  case: 'CASE is not supported: write the condition with AND / OR',
  when: 'CASE is not supported: write the condition with AND / OR',
  then: 'CASE is not supported: write the condition with AND / OR',
  else: 'CASE is not supported: write the condition with AND / OR',
  end: 'CASE is not supported: write the condition with AND / OR',
  cast: 'CAST(... AS ...) is not supported: write expr::type',
  collate: 'COLLATE is not supported',
  escape: 'LIKE ... ESCAPE is not supported',
  similar: 'SIMILAR TO is not supported: use ~ (regular expression match)',
  isnull: 'write IS NULL',
  notnull: 'write IS NOT NULL',
  unknown: 'IS [NOT] UNKNOWN is not supported',
  symmetric: 'BETWEEN SYMMETRIC is not supported',
  asymmetric: 'BETWEEN ASYMMETRIC is not supported',
  operator: 'OPERATOR(...) is not allowed',
  interval: 'intervals are not supported',
  current_date: SESSION,
  current_time: SESSION,
  current_timestamp: SESSION,
  localtime: SESSION,
  localtimestamp: SESSION,
  current_user: SESSION,
  current_role: SESSION,
  session_user: SESSION,
  user: SESSION,
  current_catalog: SESSION,
  current_schema: SESSION,
};

const VOLATILE_FUNCTIONS = new Set([
  'now',
  'random',
  'clock_timestamp',
  'statement_timestamp',
  'transaction_timestamp',
  'timeofday',
  'gen_random_uuid',
  'uuid_generate_v4',
  'nextval',
  'currval',
  'setval',
  'txid_current',
  'current_setting',
  'age',
]);

const BOOL: ValueType = { kind: 'bool' };
const NUMBER: ValueType = { kind: 'number' };
const TEXT: ValueType = { kind: 'text' };

/** The functions an expression may call: how many arguments each takes (at least, at most), and what it returns. */
const FUNCTIONS = {
  abs: { args: [1, 1], result: NUMBER },
  array_length: { args: [2, 2], result: NUMBER },
  btrim: { args: [1, 2], result: TEXT },
  cardinality: { args: [1, 1], result: NUMBER },
  char_length: { args: [1, 1], result: NUMBER },
  jsonb_typeof: { args: [1, 1], result: TEXT },
  length: { args: [1, 1], result: NUMBER },
  lower: { args: [1, 1], result: TEXT },
  upper: { args: [1, 1], result: TEXT },
} as const satisfies Record<string, { args: readonly [number, number]; result: ValueType }>;

export const ALLOWED_FUNCTIONS: readonly FunctionName[] = Object.keys(FUNCTIONS) as FunctionName[];

function describeType(type: ValueType): string {
  switch (type.kind) {
    case 'enum':
      return `enum ${type.name}`;
    case 'array':
      return `${describeType(type.element)}[]`;
    case 'literal':
      return 'string literal';
    case 'json':
      return 'json';
    default:
      return type.kind;
  }
}

class Parser {
  private pos = 0;
  private depth = 0;
  readonly columns: string[] = [];
  readonly fields: string[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly ctx: CheckExpressionContext,
  ) {}

  parseTop(): CheckExpr {
    const first = this.peek();
    if (first.t === 'eof') throw new ExprError('the CHECK expression is empty', 0);
    const expr = this.parseOr();
    const rest = this.peek();
    if (rest.t !== 'eof') {
      const forbidden = rest.t === 'word' ? FORBIDDEN_WORDS[rest.text.toLowerCase()] : undefined;
      throw new ExprError(forbidden ?? `unexpected ${this.describe(rest)} after the end of the expression`, rest.start);
    }
    if (expr.type.kind !== 'bool') {
      throw new ExprError(
        `a CHECK expression must be boolean (a comparison, IS NULL, LIKE, ...), but this one is ${describeType(expr.type)}`,
        expr.offset,
      );
    }
    if (this.columns.length === 0) {
      throw new ExprError('the CHECK expression uses no column, so it says nothing about the rows', expr.offset);
    }
    return expr;
  }

  // -- token helpers ------------------------------------------------------------------------------

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.t !== 'eof') this.pos++;
    return t;
  }

  private isWord(t: Token, word: string): boolean {
    return t.t === 'word' && t.text.toLowerCase() === word;
  }

  private isOp(t: Token, op: string): boolean {
    return t.t === 'op' && t.text === op;
  }

  private acceptWord(word: string): Token | undefined {
    const t = this.peek();
    if (this.isWord(t, word)) {
      this.pos++;
      return t;
    }
    return undefined;
  }

  private expectWord(word: string, context: string): Token {
    const t = this.peek();
    if (!this.isWord(t, word))
      throw new ExprError(`expected ${word.toUpperCase()} ${context}, found ${this.describe(t)}`, t.start);
    this.pos++;
    return t;
  }

  private expectOp(op: string, context: string): Token {
    const t = this.peek();
    if (!this.isOp(t, op)) throw new ExprError(`expected ${op} ${context}, found ${this.describe(t)}`, t.start);
    this.pos++;
    return t;
  }

  private opText(t: Token): string {
    return t.t === 'op' ? t.text : '';
  }

  private describe(t: Token): string {
    switch (t.t) {
      case 'eof':
        return 'the end of the expression';
      case 'word':
        return KEYWORDS.has(t.text.toLowerCase()) ? t.text.toUpperCase() : JSON.stringify(t.text);
      case 'quoted':
        return quoteIdent(t.text);
      case 'number':
        return t.text;
      case 'string':
        return 'a string literal';
      case 'op':
        return JSON.stringify(t.text);
    }
  }

  /** Runs `parse` one nesting level deeper (a NOT, a sign, parentheses, a call at `offset`); too deep is an error. */
  private nested<T>(offset: number, parse: () => T): T {
    this.depth++;
    if (this.depth > MAX_CHECK_EXPRESSION_DEPTH)
      throw new ExprError(`the expression nests deeper than ${MAX_CHECK_EXPRESSION_DEPTH} levels`, offset);
    const result = parse();
    this.depth--;
    return result;
  }

  // -- grammar ------------------------------------------------------------------------------------

  private parseOr(): CheckExpr {
    return this.parseLogical('OR', () => this.parseAnd());
  }

  private parseAnd(): CheckExpr {
    return this.parseLogical('AND', () => this.parseNot());
  }

  private parseLogical(op: 'AND' | 'OR', sub: () => CheckExpr): CheckExpr {
    const first = sub();
    if (!this.isWord(this.peek(), op.toLowerCase())) return first;
    const operands = [first];
    while (this.acceptWord(op.toLowerCase())) operands.push(sub());
    for (const o of operands) this.requireBool(o, op);
    return { kind: 'logical', op, operands, offset: first.offset, type: BOOL };
  }

  private parseNot(): CheckExpr {
    const t = this.peek();
    if (!this.isWord(t, 'not')) return this.parseIs();
    const inner = this.operandOf(t, () => this.parseNot());
    this.requireBool(inner, 'NOT');
    return { kind: 'not', operand: inner, offset: t.start, type: BOOL };
  }

  /** The operand of the prefix operator `t` (NOT, unary - or +), the next token: parsed one level deeper. */
  private operandOf(t: Token, parse: () => CheckExpr): CheckExpr {
    this.pos++;
    return this.nested(t.start, parse);
  }

  private parseIs(): CheckExpr {
    let left = this.parseCompare();
    while (this.isWord(this.peek(), 'is')) {
      const isToken = this.next();
      const negated = !!this.acceptWord('not');
      const t = this.next();
      if (this.isWord(t, 'null')) {
        left = { kind: 'is', negated, operand: left, test: 'NULL', offset: left.offset, type: BOOL };
      } else if (this.isWord(t, 'true') || this.isWord(t, 'false')) {
        const test = this.isWord(t, 'true') ? 'TRUE' : 'FALSE';
        this.requireBool(left, `IS ${negated ? 'NOT ' : ''}${test}`);
        left = { kind: 'is', negated, operand: left, test, offset: left.offset, type: BOOL };
      } else if (this.isWord(t, 'distinct')) {
        this.expectWord('from', 'after IS DISTINCT');
        const right = this.parseCompare();
        const [l, r] = this.unify(left, right, 'IS DISTINCT FROM', isToken.start, true);
        left = { kind: 'distinct', negated, left: l, right: r, offset: left.offset, type: BOOL };
      } else {
        const forbidden = t.t === 'word' ? FORBIDDEN_WORDS[t.text.toLowerCase()] : undefined;
        throw new ExprError(
          forbidden ??
            `expected NULL, TRUE, FALSE or DISTINCT FROM after IS${negated ? ' NOT' : ''}, found ${this.describe(t)}`,
          t.start,
        );
      }
    }
    return left;
  }

  private parseCompare(): CheckExpr {
    const left = this.parsePred();
    const t = this.peek();
    if (t.t === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.pos++;
      const right = this.parsePred();
      const after = this.peek();
      if (after.t === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(after.text)) {
        throw new ExprError('comparisons cannot be chained (a < b < c): write a < b AND b < c', after.start);
      }
      const op: CompareOp = t.text === '!=' ? '<>' : (t.text as CompareOp);
      if (left.kind === 'null' || right.kind === 'null') {
        throw new ExprError(`comparing with NULL is never true: write IS ${op === '=' ? '' : 'NOT '}NULL`, t.start);
      }
      const [l, r] = this.unify(left, right, op, t.start, false);
      return { kind: 'compare', op, left: l, right: r, offset: left.offset, type: BOOL };
    }
    return left;
  }

  private parsePred(): CheckExpr {
    const left = this.parseOther();
    let negated = false;
    let t = this.peek();
    if (this.isWord(t, 'not')) {
      const after = this.peek(1);
      if (
        this.isWord(after, 'between') ||
        this.isWord(after, 'in') ||
        this.isWord(after, 'like') ||
        this.isWord(after, 'ilike')
      ) {
        negated = true;
        this.pos++;
        t = this.peek();
      } else {
        return left;
      }
    } else if (!(
      this.isWord(t, 'between') ||
      this.isWord(t, 'in') ||
      this.isWord(t, 'like') ||
      this.isWord(t, 'ilike')
    )) {
      return left;
    }
    if (this.isWord(t, 'between')) {
      this.pos++;
      const low = this.parseOther();
      this.expectWord('and', 'in BETWEEN ... AND ...');
      const high = this.parseOther();
      const [operandL, lowR] = this.unify(left, low, 'BETWEEN', t.start, false);
      const [operandH, highR] = this.unify(operandL, high, 'BETWEEN', t.start, false);
      return { kind: 'between', negated, operand: operandH, low: lowR, high: highR, offset: left.offset, type: BOOL };
    }
    if (this.isWord(t, 'in')) {
      this.pos++;
      this.expectOp('(', 'after IN');
      const first = this.peek();
      if (this.isWord(first, 'select') || this.isWord(first, 'with') || this.isWord(first, 'values'))
        throw new ExprError(SUBQUERY, first.start);
      if (this.isOp(first, ')')) throw new ExprError('IN () needs at least one value', first.start);
      const list: CheckExpr[] = [];
      for (;;) {
        const item = this.parseInItem();
        const [, coerced] = this.unify(left, item, 'IN', item.offset, false);
        list.push(coerced);
        if (this.isOp(this.peek(), ',')) {
          this.pos++;
          continue;
        }
        this.expectOp(')', 'to close the IN list');
        break;
      }
      return { kind: 'in', negated, operand: left, list, offset: left.offset, type: BOOL };
    }
    if (this.isWord(t, 'like') || this.isWord(t, 'ilike')) {
      this.pos++;
      const right = this.parseOther();
      const word = this.isWord(t, 'like') ? 'LIKE' : 'ILIKE';
      const op: MatchOp = negated ? (`NOT ${word}` as MatchOp) : word;
      this.requireTextual(left, op);
      this.requireTextual(right, op);
      return { kind: 'match', op, left, right, offset: left.offset, type: BOOL };
    }
    throw new ExprError(`expected BETWEEN, IN, LIKE or ILIKE after NOT, found ${this.describe(t)}`, t.start);
  }

  /** An IN list holds literals only: numbers (optionally negative), strings, TRUE / FALSE. */
  private parseInItem(): CheckExpr {
    const t = this.peek();
    if (this.isOp(t, '-') && this.peek(1).t === 'number') {
      this.pos++;
      const n = this.next() as { text: string; start: number };
      return {
        kind: 'negate',
        operand: { kind: 'number', text: n.text, offset: n.start, type: NUMBER },
        offset: t.start,
        type: NUMBER,
      };
    }
    if (t.t === 'number') {
      this.pos++;
      return { kind: 'number', text: t.text, offset: t.start, type: NUMBER };
    }
    if (t.t === 'string') {
      this.pos++;
      return { kind: 'string', value: t.value, offset: t.start, type: { kind: 'literal' } };
    }
    if (this.isWord(t, 'true') || this.isWord(t, 'false')) {
      this.pos++;
      return { kind: 'boolean', value: this.isWord(t, 'true'), offset: t.start, type: BOOL };
    }
    if (this.isWord(t, 'null')) throw new ExprError('NULL in an IN list never matches: use IS NULL', t.start);
    throw new ExprError(
      `IN (...) takes literal values only (numbers, 'strings', TRUE, FALSE), found ${this.describe(t)}`,
      t.start,
    );
  }

  private parseOther(): CheckExpr {
    let left = this.parseAdd();
    for (;;) {
      const t = this.peek();
      if (!(t.t === 'op' && ['~', '~*', '!~', '!~*'].includes(t.text))) return left;
      this.pos++;
      const right = this.parseAdd();
      const op = t.text as MatchOp;
      this.requireTextual(left, op);
      this.requireTextual(right, op);
      left = { kind: 'match', op, left, right, offset: left.offset, type: BOOL };
    }
  }

  private parseAdd(): CheckExpr {
    let left = this.parseMul();
    for (;;) {
      const t = this.peek();
      if (!(this.isOp(t, '+') || this.isOp(t, '-'))) return left;
      this.pos++;
      const right = this.parseMul();
      left = this.arith(this.opText(t) as ArithOp, left, right);
    }
  }

  private parseMul(): CheckExpr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (!(this.isOp(t, '*') || this.isOp(t, '/') || this.isOp(t, '%'))) return left;
      this.pos++;
      const right = this.parseUnary();
      left = this.arith(this.opText(t) as ArithOp, left, right);
    }
  }

  private arith(op: ArithOp, left: CheckExpr, right: CheckExpr): CheckExpr {
    for (const side of [left, right]) {
      if (side.type.kind !== 'number' && side.type.kind !== 'unknown') {
        throw new ExprError(`${op} needs numbers, but ${this.what(side)} is ${describeType(side.type)}`, side.offset);
      }
    }
    return { kind: 'arith', op, left, right, offset: left.offset, type: NUMBER };
  }

  private parseUnary(): CheckExpr {
    const t = this.peek();
    if (!this.isOp(t, '-') && !this.isOp(t, '+')) return this.parsePostfix();
    const inner = this.operandOf(t, () => this.parseUnary());
    this.requireNumber(inner, `unary ${this.opText(t)}`);
    return this.isOp(t, '+') ? inner : { kind: 'negate', operand: inner, offset: t.start, type: NUMBER };
  }

  private parsePostfix(): CheckExpr {
    let expr = this.parsePrimary();
    while (this.isOp(this.peek(), '::')) {
      const colons = this.next();
      const t = this.next();
      const name = t.t === 'word' ? t.text.toLowerCase() : undefined;
      const target = name ? CAST_TYPES[name] : undefined;
      if (
        !target ||
        this.isOp(this.peek(), '(') ||
        this.isWord(this.peek(), 'precision') ||
        this.isWord(this.peek(), 'varying')
      ) {
        throw new ExprError(
          `casts are limited to ::${Object.keys(CAST_TYPES).join(', ::')}${t.t === 'word' ? `; found ::${t.text}` : ''}`,
          t.start,
        );
      }
      const source = expr.type.kind;
      if (source === 'timestamp' || source === 'bytes') {
        throw new ExprError(
          `casting ${source === 'timestamp' ? 'a timestamp' : 'bytes'} is not allowed: the result depends on session settings (${source === 'timestamp' ? 'DateStyle, TimeZone' : 'bytea_output'})`,
          colons.start,
        );
      }
      const type: ValueType = target === 'text' || target === 'varchar' ? TEXT : target === 'boolean' ? BOOL : NUMBER;
      expr = { kind: 'cast', operand: expr, target, offset: expr.offset, type };
    }
    return expr;
  }

  private parsePrimary(): CheckExpr {
    const t = this.next();
    switch (t.t) {
      case 'number':
        return { kind: 'number', text: t.text, offset: t.start, type: NUMBER };
      case 'string':
        return { kind: 'string', value: t.value, offset: t.start, type: { kind: 'literal' } };
      case 'quoted':
        if (this.isOp(this.peek(), '('))
          throw new ExprError(`quoted function names are not allowed: ${quoteIdent(t.text)}(...)`, t.start);
        return this.column(t.text, true, t.start);
      case 'op':
        if (t.text === '(') {
          const inner = this.peek();
          if (
            this.isWord(inner, 'select') ||
            this.isWord(inner, 'with') ||
            this.isWord(inner, 'values') ||
            this.isWord(inner, 'table')
          ) {
            throw new ExprError(SUBQUERY, inner.start);
          }
          const expr = this.nested(t.start, () => this.parseOr());
          this.expectOp(')', 'to close (');
          return expr;
        }
        throw new ExprError(`unexpected ${this.describe(t)}`, t.start);
      case 'eof':
        throw new ExprError('the expression ends too early', t.start);
      case 'word': {
        const lower = t.text.toLowerCase();
        if (lower === 'true' || lower === 'false')
          return { kind: 'boolean', value: lower === 'true', offset: t.start, type: BOOL };
        if (lower === 'null') return { kind: 'null', offset: t.start, type: { kind: 'null' } };
        const forbidden = FORBIDDEN_WORDS[lower];
        if (!forbidden && this.isOp(this.peek(), '(')) return this.call(t.text, t.start);
        if (forbidden || KEYWORDS.has(lower)) {
          const asColumn = this.findColumn(t.text, false);
          const hint = asColumn
            ? ` (to use the column ${JSON.stringify(t.text)}, quote it: ${quoteIdent(t.text)})`
            : '';
          throw new ExprError(`${forbidden ?? `unexpected ${t.text.toUpperCase()}`}${hint}`, t.start);
        }
        return this.column(t.text, false, t.start);
      }
    }
  }

  private call(name: string, offset: number): CheckExpr {
    const lower = name.toLowerCase();
    const fn = ALLOWED_FUNCTIONS.find((f) => f === lower);
    if (!fn) {
      if (VOLATILE_FUNCTIONS.has(lower)) throw new ExprError(`${lower}() ${SESSION}`, offset);
      throw new ExprError(
        `function ${JSON.stringify(name)} is not allowed; allowed functions: ${ALLOWED_FUNCTIONS.join(', ')}`,
        offset,
      );
    }
    this.expectOp('(', `after ${fn}`);
    const inner = this.peek();
    if (this.isWord(inner, 'select') || this.isWord(inner, 'with') || this.isWord(inner, 'values'))
      throw new ExprError(SUBQUERY, inner.start);
    const args: CheckExpr[] = [];
    this.nested(offset, () => {
      if (this.isOp(this.peek(), ')')) return;
      for (;;) {
        args.push(this.parseOr());
        if (!this.isOp(this.peek(), ',')) return;
        this.pos++;
      }
    });
    this.expectOp(')', `to close ${fn}(`);
    return { kind: 'call', name: fn, args: this.checkCall(fn, args, offset), offset, type: FUNCTIONS[fn].result };
  }

  private checkCall(fn: FunctionName, args: CheckExpr[], offset: number): CheckExpr[] {
    const [min, max] = FUNCTIONS[fn].args;
    if (args.length < min || args.length > max) {
      const expected =
        fn === 'array_length'
          ? 'array_length(column, 1)'
          : min === max
            ? `${min} argument${min === 1 ? '' : 's'}`
            : `${min} to ${max} arguments`;
      throw new ExprError(`${fn} takes ${expected}, got ${args.length}`, offset);
    }
    const kind = (a: CheckExpr) => a.type.kind;
    const need = (a: CheckExpr, ok: boolean, what: string, hint = '') => {
      if (!ok)
        throw new ExprError(`${fn}() needs ${what}, but ${this.what(a)} is ${describeType(a.type)}${hint}`, a.offset);
    };
    const first = args[0]!;
    const enumHint = first.type.kind === 'enum' ? `: cast it, ${fn}(${this.what(first)}::text)` : '';
    switch (fn) {
      case 'abs':
        need(first, ['number', 'unknown'].includes(kind(first)), 'a number');
        break;
      case 'char_length':
      case 'lower':
      case 'upper':
      case 'btrim':
        for (const a of args)
          need(a, ['text', 'literal', 'unknown'].includes(kind(a)), 'text', a === first ? enumHint : '');
        break;
      case 'length':
        need(first, ['text', 'literal', 'bytes', 'unknown'].includes(kind(first)), 'text or bytes', enumHint);
        break;
      case 'jsonb_typeof':
        need(
          first,
          ['jsonb', 'unknown'].includes(kind(first)),
          'jsonb',
          first.type.kind === 'json'
            ? ' (the column is @db.Json; jsonb functions need jsonb — use Json or @db.JsonB)'
            : '',
        );
        break;
      case 'cardinality':
        need(first, ['array', 'unknown'].includes(kind(first)), 'an array (a list field)');
        break;
      case 'array_length': {
        need(first, ['array', 'unknown'].includes(kind(first)), 'an array (a list field)');
        const dim = args[1]!;
        if (!(dim.kind === 'number' && dim.text === '1')) {
          throw new ExprError(
            'array_length(column, 1): the dimension must be the literal 1 (Prisma lists have one dimension)',
            dim.offset,
          );
        }
        break;
      }
    }
    return args;
  }

  private findColumn(name: string, quoted: boolean): Column | undefined {
    const columns = this.ctx.table.columns;
    const byField = columns.find((c) => c.field === name);
    const byName = columns.find((c) => c.name === name);
    return quoted ? (byName ?? byField) : (byField ?? byName);
  }

  private column(name: string, quoted: boolean, offset: number): CheckExpr {
    const column = this.findColumn(name, quoted);
    if (!column) {
      const table = this.ctx.table;
      const candidates = [...table.columns.map((c) => c.field), ...table.columns.map((c) => c.name)];
      const near = didYouMean(name, candidates);
      const where =
        table.model === table.name ? `model ${table.model}` : `model ${table.model} (table ${quoteIdent(table.name)})`;
      const list = near ? '' : ` (columns: ${table.columns.map((c) => c.field).join(', ')})`;
      throw new ExprError(`unknown column ${JSON.stringify(name)} in ${where}${near}${list}`, offset);
    }
    if (!this.columns.includes(column.name)) {
      this.columns.push(column.name);
      this.fields.push(column.field);
    }
    return {
      kind: 'column',
      column: column.name,
      field: column.field,
      offset,
      type: columnValueType(column, this.ctx.enums),
    };
  }

  // -- typing helpers -----------------------------------------------------------------------------

  /** A short name for a node in messages: the column, the literal, or "the expression". */
  private what(expr: CheckExpr): string {
    if (expr.kind === 'column') return expr.field;
    if (expr.kind === 'number') return expr.text;
    if (expr.kind === 'string') return quoteLiteral(expr.value);
    if (expr.kind === 'call') return `${expr.name}(...)`;
    return 'the expression';
  }

  private requireBool(expr: CheckExpr, context: string): void {
    if (expr.type.kind !== 'bool' && expr.type.kind !== 'unknown') {
      throw new ExprError(
        `${context} needs a boolean, but ${this.what(expr)} is ${describeType(expr.type)}`,
        expr.offset,
      );
    }
  }

  private requireNumber(expr: CheckExpr, context: string): void {
    if (expr.type.kind !== 'number' && expr.type.kind !== 'unknown') {
      throw new ExprError(
        `${context} needs a number, but ${this.what(expr)} is ${describeType(expr.type)}`,
        expr.offset,
      );
    }
  }

  private requireTextual(expr: CheckExpr, op: string): void {
    const k = expr.type.kind;
    if (k === 'text' || k === 'literal' || k === 'unknown') return;
    const hint = k === 'enum' ? `: cast it, ${this.what(expr)}::text ${op} ...` : '';
    throw new ExprError(`${op} needs text, but ${this.what(expr)} is ${describeType(expr.type)}${hint}`, expr.offset);
  }

  /**
   * Checks that two operands can be compared and resolves string literals against the other
   * side (enum labels to their database value; relative timestamps refused).
   */
  private unify(
    left: CheckExpr,
    right: CheckExpr,
    op: string,
    offset: number,
    allowNull: boolean,
  ): [CheckExpr, CheckExpr] {
    const a = left.type;
    const b = right.type;
    if (a.kind === 'null' || b.kind === 'null') {
      if (allowNull) return [left, right];
      throw new ExprError(
        `NULL never compares with ${op}: use IS NULL / IS NOT NULL`,
        (a.kind === 'null' ? left : right).offset,
      );
    }
    if (a.kind === 'json' || b.kind === 'json') {
      const side = a.kind === 'json' ? left : right;
      throw new ExprError(
        `${this.what(side)} is json (@db.Json), which has no comparison operators; use Json / @db.JsonB (jsonb)`,
        side.offset,
      );
    }
    if (a.kind === 'literal' && b.kind !== 'literal') return [left, this.coerceLiteral(right, b, op)];
    if (b.kind === 'literal' && a.kind !== 'literal') return [left, this.coerceLiteral(right, a, op)];
    if (a.kind === 'literal' && b.kind === 'literal') return [left, right];
    if (compatible(a, b)) return [left, right];
    throw new ExprError(
      `cannot ${op === 'IN' ? 'look up' : 'compare'} ${describeType(a)} with ${describeType(b)} (${op})`,
      offset,
    );
  }

  /** `literal` is a string literal (type 'literal') compared with `target`. */
  private coerceLiteral(literal: CheckExpr, target: ValueType, op: string): CheckExpr {
    if (literal.kind !== 'string') return literal;
    switch (target.kind) {
      case 'unknown':
      case 'text':
      case 'jsonb':
      case 'array':
      case 'bytes':
        return literal;
      case 'timestamp': {
        const v = literal.value.trim().toLowerCase();
        if (['now', 'today', 'tomorrow', 'yesterday'].includes(v)) {
          throw new ExprError(
            `'${v}' is evaluated once, when the constraint is created, not when a row is written`,
            literal.offset,
          );
        }
        return literal;
      }
      case 'enum': {
        if (!target.values) return literal;
        const value =
          target.values.find((v) => v.name === literal.value) ?? target.values.find((v) => v.dbName === literal.value);
        if (!value) {
          const names = target.values.map((v) => v.name);
          const near = didYouMean(literal.value, names, (s) => `'${s}'`);
          throw new ExprError(
            `${quoteLiteral(literal.value)} is not a value of enum ${target.name}${near || ` (values: ${names.join(', ')})`}`,
            literal.offset,
          );
        }
        return { ...literal, value: value.dbName, type: target };
      }
      default:
        throw new ExprError(`cannot compare ${describeType(target)} with a string literal (${op})`, literal.offset);
    }
  }
}

function compatible(a: ValueType, b: ValueType): boolean {
  if (a.kind === 'unknown' || b.kind === 'unknown') return true;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'enum' && b.kind === 'enum') return a.name === b.name;
  if (a.kind === 'array' && b.kind === 'array') return compatible(a.element, b.element);
  return true;
}
