/**
 * The one reader of partial-index predicates that come from outside as text: a user's
 * `where: raw("...")` in schema.prisma and `pg_get_expr(indpred)` from the catalog. It reads the
 * small subset rules and coverage reason about (AND / OR / NOT, `col IS [NOT] NULL`,
 * `col <op> constant`, `col = ANY (ARRAY[...])`, `col IN (...)`, parentheses, `::type` casts on
 * constants) into a `Predicate`; anything else stays `{ kind: 'sql', text }`, compared by its
 * tokens. Predicates idxgen makes itself are built as trees and never go through here.
 */
import { conjuncts, type CompareOp, type Literal, type Predicate, type TypeRef } from '../model/query-shape';
import { EXPRESSION_KEYWORDS } from './quote';

type Token =
  | { t: 'ident'; value: string; quoted: boolean }
  | { t: 'string'; value: string }
  | { t: 'number'; value: string }
  | { t: 'op'; value: string }
  | { t: 'punct'; value: string };

const OPERATOR_CHARS = /[<>=!~:|&+\-*/%^@#?]/;

/** Tokens of a predicate, or undefined when a quote is not closed. */
function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= text.length) return undefined;
        if (text[j] === ch && text[j + 1] === ch) {
          value += ch;
          j += 2;
        } else if (text[j] === ch) break;
        else value += text[j++];
      }
      tokens.push(ch === "'" ? { t: 'string', value } : { t: 'ident', value, quoted: true });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_$]/.test(text[j]!)) j++;
      // An unquoted identifier is folded to lower case by PostgreSQL (keywords too).
      tokens.push({ t: 'ident', value: text.slice(i, j).toLowerCase(), quoted: false });
      i = j;
    } else if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < text.length && /[0-9.]/.test(text[j]!)) j++;
      tokens.push({ t: 'number', value: text.slice(i, j) });
      i = j;
    } else if (OPERATOR_CHARS.test(ch)) {
      let j = i + 1;
      while (j < text.length && OPERATOR_CHARS.test(text[j]!)) j++;
      tokens.push({ t: 'op', value: text.slice(i, j) });
      i = j;
    } else {
      tokens.push({ t: 'punct', value: ch });
      i++;
    }
  }
  return tokens;
}

class Reader {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }

  private keyword(word: string, offset = 0): boolean {
    const tok = this.peek(offset);
    return tok?.t === 'ident' && !tok.quoted && tok.value === word;
  }

  private is(t: Token['t'], value: string, offset = 0): boolean {
    const tok = this.peek(offset);
    return tok?.t === t && tok.value === value;
  }

  private expect(t: Token['t'], value: string): void {
    if (!this.is(t, value)) throw new Unread();
    this.at++;
  }

  private expectKeyword(word: string): void {
    if (!this.keyword(word)) throw new Unread();
    this.at++;
  }

  or(): Predicate {
    const terms = [this.and()];
    while (this.keyword('or')) {
      this.at++;
      terms.push(this.and());
    }
    return terms.length === 1 ? terms[0]! : { kind: 'or', terms };
  }

  private and(): Predicate {
    const terms = [this.not()];
    while (this.keyword('and')) {
      this.at++;
      terms.push(this.not());
    }
    return terms.length === 1
      ? terms[0]!
      : { kind: 'and', terms: terms.flatMap((t) => (t.kind === 'and' ? t.terms : [t])) };
  }

  private not(): Predicate {
    if (this.keyword('not')) {
      this.at++;
      return { kind: 'not', term: this.not() };
    }
    if (this.is('punct', '(')) {
      this.at++;
      const inner = this.or();
      this.expect('punct', ')');
      return inner;
    }
    return this.test();
  }

  private test(): Predicate {
    const tok = this.peek();
    if (tok?.t !== 'ident' || (!tok.quoted && RESERVED.has(tok.value))) throw new Unread();
    this.at++;
    const column = tok.value;
    if (this.keyword('is')) {
      this.at++;
      const negated = this.keyword('not');
      if (negated) this.at++;
      this.expectKeyword('null');
      return { kind: 'null-test', column, isNull: !negated };
    }
    if (this.keyword('in')) {
      this.at++;
      this.expect('punct', '(');
      const values = this.literals(')');
      return { kind: 'in-list', column, values };
    }
    const op = this.peek();
    if (op?.t !== 'op' || !COMPARE_OPS.has(op.value)) throw new Unread();
    this.at++;
    const compareOp = (op.value === '!=' ? '<>' : op.value) as CompareOp;
    if (compareOp === '=' && this.keyword('any')) {
      this.at++;
      this.expect('punct', '(');
      this.expectKeyword('array');
      this.expect('punct', '[');
      const values = this.literals(']');
      this.skipCast();
      this.expect('punct', ')');
      return { kind: 'in-list', column, values };
    }
    return { kind: 'compare', column, op: compareOp, value: this.literal() };
  }

  /** Literals separated by commas up to `close` (consumed). */
  private literals(close: string): Literal[] {
    const values = [this.literal()];
    while (this.is('punct', ',')) {
      this.at++;
      values.push(this.literal());
    }
    this.expect('punct', close);
    return values;
  }

  private literal(): Literal {
    if (this.is('punct', '(')) {
      this.at++;
      const inner = this.literal();
      this.expect('punct', ')');
      return inner;
    }
    const tok = this.peek();
    let value: Literal;
    if (tok?.t === 'string') value = { kind: 'string', value: tok.value };
    else if (tok?.t === 'number') value = { kind: 'number', value: tok.value };
    else if (tok?.t === 'op' && tok.value === '-' && this.peek(1)?.t === 'number') {
      this.at++;
      value = { kind: 'number', value: `-${(this.peek() as { value: string }).value}` };
    } else if (this.keyword('true') || this.keyword('false')) value = { kind: 'boolean', value: tok!.value === 'true' };
    else throw new Unread();
    this.at++;
    const cast = this.cast();
    if (cast && value.kind === 'string') {
      // `'x'::text` is the literal itself; another type is an enum (or a domain) the value belongs to.
      if (!(cast.schema === undefined && PLAIN_TEXT_TYPES.has(cast.name))) value.cast = cast;
    } else if (cast) throw new Unread();
    return value;
  }

  /** `::name`, `::"schema"."name"`, `::name[]`, or nothing. */
  private cast(): TypeRef | undefined {
    if (!this.is('op', '::')) return undefined;
    this.at++;
    const first = this.peek();
    if (first?.t !== 'ident') throw new Unread();
    this.at++;
    let ref: TypeRef = { name: first.value };
    if (this.is('punct', '.')) {
      this.at++;
      const second = this.peek();
      if (second?.t !== 'ident') throw new Unread();
      this.at++;
      ref = { schema: first.value, name: second.value };
    }
    if (this.is('punct', '[') && this.is('punct', ']', 1)) this.at += 2;
    return ref;
  }

  private skipCast(): void {
    this.cast();
  }
}

class Unread extends Error {}

const COMPARE_OPS: ReadonlySet<string> = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
const RESERVED: ReadonlySet<string> = new Set([...EXPRESSION_KEYWORDS, 'any', 'array']);
const PLAIN_TEXT_TYPES: ReadonlySet<string> = new Set(['text', 'character varying', 'varchar']);

/** The predicate a `where` text means, as a tree where idxgen can read it; else `{ kind: 'sql', text }`. */
export function readPredicate(text: string): Predicate {
  const tokens = tokenize(text);
  if (tokens && tokens.length > 0) {
    try {
      const reader = new Reader(tokens);
      const predicate = reader.or();
      if (reader.done()) return predicate;
    } catch (error) {
      if (!(error instanceof Unread)) throw error;
    }
  }
  return { kind: 'sql', text };
}

/**
 * A canonical key: two predicates with the same key are the same predicate. Read trees compare by
 * structure; unread text by its tokens (whitespace, keyword case, needless identifier quotes and
 * outer parentheses do not matter). The converse is not promised (`a AND b` vs `b AND a`).
 */
export function predicateKey(predicate: Predicate | undefined): string {
  if (predicate === undefined) return '';
  switch (predicate.kind) {
    case 'and':
    case 'or':
      return `${predicate.kind}(${predicate.terms.map(predicateKey).join(',')})`;
    case 'not':
      return `not(${predicateKey(predicate.term)})`;
    case 'null-test':
      return `${JSON.stringify(predicate.column)} ${predicate.isNull ? 'is null' : 'is not null'}`;
    case 'compare':
      return `${JSON.stringify(predicate.column)} ${predicate.op} ${literalKey(predicate.value)}`;
    case 'in-list':
      return `${JSON.stringify(predicate.column)} in (${predicate.values.map(literalKey).join(',')})`;
    case 'sql':
      return `sql:${tokenKey(predicate.text)}`;
  }
}

function literalKey(value: Literal): string {
  if (value.kind !== 'string') return String(value.value);
  return `${JSON.stringify(value.value)}${value.cast ? `::${value.cast.schema ?? ''}.${value.cast.name}` : ''}`;
}

function tokenKey(text: string): string {
  const tokens = tokenize(text);
  if (!tokens) return text.replace(/\s+/g, ' ').trim();
  let parts = tokens.map((tok) =>
    tok.t === 'string' ? `'${tok.value}'` : tok.t === 'ident' ? JSON.stringify(tok.value) : tok.value,
  );
  while (parts.length >= 2 && parts[0] === '(' && parts[parts.length - 1] === ')' && closesAtEnd(parts))
    parts = parts.slice(1, -1);
  return parts.join(' ');
}

function closesAtEnd(tokens: string[]): boolean {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === '(') depth++;
    else if (tokens[i] === ')') depth--;
    if (depth === 0 && i < tokens.length - 1) return false;
  }
  return depth === 0;
}

/** Same predicate (by `predicateKey`); two absent predicates are the same. */
export function samePredicate(a: Predicate | undefined, b: Predicate | undefined): boolean {
  return predicateKey(a) === predicateKey(b);
}

/**
 * Every conjunct of `predicate` is implied by the read: `col IS NOT NULL` for a column the read
 * compares (a comparison is never true for NULL), or a conjunct the read's own constant predicate has.
 */
export function impliedBy(
  predicate: Predicate,
  comparedColumns: ReadonlySet<string>,
  readWhere: Predicate | undefined,
): boolean {
  const known = new Set(conjuncts(readWhere).map(predicateKey));
  return conjuncts(predicate).every(
    (c) => (c.kind === 'null-test' && !c.isNull && comparedColumns.has(c.column)) || known.has(predicateKey(c)),
  );
}
