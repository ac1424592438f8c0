/**
 * src/sql/quote.ts: the one place identifiers and literals become SQL text. What PostgreSQL makes
 * of this text (the U& form included, with standard_conforming_strings on and off) is proven in
 * __tests__/render/sql-on-postgres.test.ts; here, the exact text.
 */
import { naiveSplit } from '../../src/db/split';
import { qualifiedName, quoteIdent, quoteIdentAsPrinted, quoteLiteral } from '../../src/sql/quote';

describe('quoteIdent', () => {
  test.each([
    ['plain', 'Post', '"Post"'],
    ['lower case is quoted too (case is kept)', 'post', '"post"'],
    ['a double quote is doubled', 'we"ird', '"we""ird"'],
    ['a backslash without ";" is an ordinary character', 'a\\b', '"a\\b"'],
    ['a single quote needs nothing', "it's", `"it's"`],
    ['a line break stays inside the quotes', 'a\nb', '"a\nb"'],
    ['";" → U& identifier with \\003B', 'a;b', 'U&"a\\003Bb"'],
    ['";" and a double quote: the quote is doubled', 'we"ird;x', 'U&"we""ird\\003Bx"'],
    ['";" and a backslash: the backslash is doubled', 'a\\;b', 'U&"a\\\\\\003Bb"'],
    ['";" and a literal "\\003B" text: not taken as an escape', 'x;\\003B', 'U&"x\\003B\\\\003B"'],
    ['";" and "--", "/*": inside the quotes', 'c; DROP TABLE x; --', 'U&"c\\003B DROP TABLE x\\003B --"'],
    ['";" and non-ASCII letters: kept as they are', 'ü;é', 'U&"ü\\003Bé"'],
  ])('%s: %j → %s', (_label, name, sql) => {
    expect(quoteIdent(name)).toBe(sql);
  });

  test('the result never holds ";" (adapter-pg splits migration files on every ";")', () => {
    for (const name of [';', ';;', 'a;b;c', '"\\;', 'x\n;--']) {
      const sql = quoteIdent(name);
      expect(sql).not.toContain(';');
      expect(naiveSplit(`DROP INDEX ${sql};`)).toHaveLength(1);
    }
  });

  test('NUL and the empty name are refused', () => {
    expect(() => quoteIdent('')).toThrow('empty SQL identifier');
    expect(() => quoteIdent('a\u0000b')).toThrow(/NUL/);
    expect(() => quoteIdent('a\u0000;b')).toThrow(/NUL/);
  });
});

describe('quoteIdentAsPrinted (as PostgreSQL prints identifiers; compared with quote_ident() on PostgreSQL in render/sql-on-postgres)', () => {
  test.each([
    ['lower case, not a keyword: bare', 'status', 'status'],
    ['digits, underscore: bare', '_a1_b2', '_a1_b2'],
    ['an unreserved keyword: bare', 'name', 'name'],
    ['another unreserved keyword: bare', 'type', 'type'],
    ['mixed case: quoted', 'IngestStatus', '"IngestStatus"'],
    ['reserved keyword: quoted', 'user', '"user"'],
    ['column-name keyword: quoted', 'between', '"between"'],
    ['type-function keyword: quoted', 'left', '"left"'],
    ['leading digit: quoted', '1a', '"1a"'],
    ['"$": quoted', 'a$b', '"a$b"'],
    ['non-ASCII: quoted', 'café', '"café"'],
    ['a double quote: doubled', 'we"ird', '"we""ird"'],
    ['";": the U& form of quoteIdent', 'a;b', 'U&"a\\003Bb"'],
  ])('%s: %j → %s', (_label, name, sql) => {
    expect(quoteIdentAsPrinted(name)).toBe(sql);
  });

  test('NUL and the empty name are refused', () => {
    expect(() => quoteIdentAsPrinted('')).toThrow('empty SQL identifier');
    expect(() => quoteIdentAsPrinted('a\u0000b')).toThrow(/NUL/);
  });
});

describe('qualifiedName', () => {
  test.each([
    ['no schema', 'Post', undefined, '"Post"'],
    ['empty schema counts as none', 'Post', '', '"Post"'],
    ['schema', 'Event', 'app', '"app"."Event"'],
    ['quotes doubled on both sides', 'we"ird', 'sch"ema', '"sch""ema"."we""ird"'],
    ['each part quoted on its own: U& only where a ";" is', 'a;b', 'app', '"app".U&"a\\003Bb"'],
    ['";" in the schema', 'Event', 's;x', 'U&"s\\003Bx"."Event"'],
    ['backslash with ";" in both', 'b\\;', 'a\\;', 'U&"a\\\\\\003B".U&"b\\\\\\003B"'],
  ])('%s', (_label, name, schema, sql) => {
    expect(qualifiedName(name, schema)).toBe(sql);
  });

  test('NUL and empty names are refused', () => {
    expect(() => qualifiedName('', 'app')).toThrow('empty SQL identifier');
    expect(() => qualifiedName('t', 'a\u0000')).toThrow(/NUL/);
    expect(() => qualifiedName('t\u0000', 'app')).toThrow(/NUL/);
  });
});

describe('quoteLiteral', () => {
  test.each([
    ['plain', 'PENDING', "'PENDING'"],
    ['empty string is a valid literal', '', "''"],
    ['a single quote is doubled', "it's", "'it''s'"],
    ['a double quote needs nothing', 'say "hi"', `'say "hi"'`],
    // Standard-conforming: a backslash is an ordinary character, never an escape (no E'' form).
    ['a backslash is kept as is', 'a\\b', "'a\\b'"],
    // Unlike identifiers, a literal is not rewritten: U&'...' fails when standard_conforming_strings
    // is off (0A000), so callers that cannot have ";" in a file refuse such values themselves
    // (queue-partial-index does).
    ['";" is kept as is', 'a;b', "'a;b'"],
    ['backslash with ";"', 'a\\;b', "'a\\;b'"],
  ])('%s: %j → %s', (_label, value, sql) => {
    expect(quoteLiteral(value)).toBe(sql);
  });

  test('NUL is refused', () => {
    expect(() => quoteLiteral('a\u0000b')).toThrow(/NUL/);
  });
});
