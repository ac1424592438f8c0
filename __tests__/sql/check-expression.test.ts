import { parseCheckExpression, MAX_CHECK_EXPRESSION_LENGTH } from '../../src/sql/check-expression';
import { closeMatches, editDistance } from '../../src/sql/expr-suggest';
import { schemaFromEmptySql } from '../../src/db/schema-engine';
import { fixture, fixtureText } from '../support/rules2';
import { testDatabase } from '../support/pg';

const model = fixture('expressions.prisma');
const table = model.tables.find((t) => t.model === 'Item')!;
const parse = (source: string) => parseCheckExpression(source, { table, enums: model.enums });

/** [expression as a user writes it, canonical SQL, database columns in order of use] */
const VALID: [string, string, string[]][] = [
  ['price > 0', '"price" > 0', ['price']],
  ['qty >= 0', '"quantity" >= 0', ['quantity']],
  ['"quantity" >= 0', '"quantity" >= 0', ['quantity']],
  ['quantity >= 0', '"quantity" >= 0', ['quantity']],
  ['weird <> 0', '"we""ird" <> 0', ['we"ird']],
  ['"we""ird" != 0', '"we""ird" <> 0', ['we"ird']],
  ['"end" >= 0', '"end" >= 0', ['end']],
  ["name <> ''", `"name" <> ''`, ['name']],
  ["name <> 'it''s'", `"name" <> 'it''s'`, ['name']],
  ['name <> \'héllo "x" \\n\'', `"name" <> 'héllo "x" \\n'`, ['name']],
  ['char_length(btrim(name)) BETWEEN 1 AND 200', 'char_length(btrim("name")) BETWEEN 1 AND 200', ['name']],
  ["btrim(name, ' ') = name", `btrim("name", ' ') = "name"`, ['name']],
  ['lower(slug) = slug', 'lower("slug") = "slug"', ['slug']],
  ["slug ~ '^[a-z0-9-]+$'", `"slug" ~ '^[a-z0-9-]+$'`, ['slug']],
  ["slug !~* 'admin'", `"slug" !~* 'admin'`, ['slug']],
  ["name NOT ILIKE '%test%'", `"name" NOT ILIKE '%test%'`, ['name']],
  ["name like 'a%'", `"name" LIKE 'a%'`, ['name']],
  ["role IN ('ADMIN', 'MEMBER')", `"role" IN ('ADMIN', 'member')`, ['role']],
  ["role <> 'member'", `"role" <> 'member'`, ['role']],
  ["role NOT IN ('MEMBER')", `"role" NOT IN ('member')`, ['role']],
  ['endsAt IS NULL OR endsAt > createdAt', '("endsAt" IS NULL) OR ("endsAt" > "created_at")', ['endsAt', 'created_at']],
  ['NOT active IS NOT TRUE', 'NOT ("active" IS NOT TRUE)', ['active']],
  ['active = TRUE OR price = 0', '("active" = TRUE) OR ("price" = 0)', ['active', 'price']],
  ['cardinality(tags) <= 10', 'cardinality("tags") <= 10', ['tags']],
  ['array_length(roles, 1) > 0', 'array_length("roles", 1) > 0', ['roles']],
  ["jsonb_typeof(data) = 'object'", `jsonb_typeof("data") = 'object'`, ['data']],
  ['weight IS NULL OR weight BETWEEN 0.5 AND 1E3', '("weight" IS NULL) OR ("weight" BETWEEN 0.5 AND 1e3)', ['weight']],
  ['abs(big) < 100 * 1000', 'abs("big") < (100 * 1000)', ['big']],
  ['-price < -1', '(-"price") < -1', ['price']],
  ['price - 1 - 2 > 0', '(("price" - 1) - 2) > 0', ['price']],
  ['price - (1 - 2) > .5', '("price" - (1 - 2)) > .5', ['price']],
  ['qty % 2 = 0', '("quantity" % 2) = 0', ['quantity']],
  ["qty::text <> ''", `"quantity"::text <> ''`, ['quantity']],
  ["role::text LIKE 'A%'", `"role"::text LIKE 'A%'`, ['role']],
  ["createdAt > '2020-01-01'", `"created_at" > '2020-01-01'`, ['created_at']],
  ["uid <> '00000000-0000-0000-0000-000000000000'", `"uid" <> '00000000-0000-0000-0000-000000000000'`, ['uid']],
  ['tsv IS NOT NULL', '"tsv" IS NOT NULL', ['tsv']],
  ['active', '"active"', ['active']],
  ['(((price > 0)))', '"price" > 0', ['price']],
  [
    'price > 0 AND (qty > 0 AND big > 0)',
    '("price" > 0) AND (("quantity" > 0) AND ("big" > 0))',
    ['price', 'quantity', 'big'],
  ],
  ['price between 1 and 2 and not active', '("price" BETWEEN 1 AND 2) AND (NOT "active")', ['price', 'active']],
  ['weight IS NOT DISTINCT FROM price', '"weight" IS NOT DISTINCT FROM "price"', ['weight', 'price']],
  ['blob IS NULL OR length(blob) < 1024', '("blob" IS NULL) OR (length("blob") < 1024)', ['blob']],
  ['price NOT BETWEEN -5 AND -1', '"price" NOT BETWEEN -5 AND -1', ['price']],
  ['qty IN (-1, 2, 3)', '"quantity" IN (-1, 2, 3)', ['quantity']],
  ["email_like_name ~ 'x'".replace('email_like_name', 'name'), `"name" ~ 'x'`, ['name']],
];

/** [expression, error must contain, offset] */
const INVALID: [string, string, number][] = [
  ['', 'empty', 0],
  ['   ', 'empty', 0],
  ['1=1); DROP TABLE x; --', '`;` is not allowed anywhere', 4],
  ["name = 'a;b'", '`;` is not allowed anywhere', 9],
  ['price > 0; DROP TABLE "Item"', '`;` is not allowed anywhere', 9],
  ['pg_sleep(10) IS NULL', 'function "pg_sleep" is not allowed', 0],
  ['(SELECT 1) = 1', 'subqueries', 1],
  ['price > (SELECT max(price) FROM "Item")', 'subqueries', 9],
  ['EXISTS (SELECT 1)', 'subqueries', 0],
  ['price IN (SELECT 1)', 'subqueries', 10],
  ['price > ANY (1)', 'ANY / ALL / SOME', 8],
  ['price > 0 -- comment', 'comments', 10],
  ['price > 0 /* c */', 'comments', 10],
  ['name = $$x$$', 'dollar quoting', 7],
  ['name = $1', 'parameters', 7],
  ["name = 'a$tag$b'", 'dollar quoting', 9],
  ["name = 'a--b'", '`--` is not allowed inside a string literal', 9],
  ["name = 'a/*b'", '`/*` is not allowed inside a string literal', 9],
  ['price::money > 0', 'casts are limited', 7],
  ['price::double precision > 0', 'casts are limited', 7],
  ["createdAt::text <> ''", 'casting a timestamp is not allowed', 9],
  ["CAST(price AS text) <> ''", 'CAST(... AS ...) is not supported', 0],
  ['nope > 1', 'unknown column "nope" in model Item (did you mean "name" or "role"?)', 0],
  ['zzzzzz > 1', 'unknown column "zzzzzz" in model Item (columns: id, name, slug, uid, price, qty,', 0],
  ['prce > 1', 'unknown column "prce" in model Item (did you mean "price"?)', 0],
  ["price > 'abc'", 'cannot compare number with a string literal', 8],
  ['name > 5', 'cannot compare text with number', 5],
  ["role = 'OWNER'", "'OWNER' is not a value of enum Role (values: ADMIN, MEMBER)", 7],
  ["role = 'ADMN'", "did you mean 'ADMIN'", 7],
  ['price + 1', 'must be boolean', 0],
  ['price', 'but this one is number', 0],
  ['TRUE', 'uses no column', 0],
  ['1 = 1', 'uses no column', 0],
  ['price = NULL', 'write IS NULL', 6],
  ['price <> NULL', 'write IS NOT NULL', 6],
  ['price IN (NULL)', 'NULL in an IN list never matches', 10],
  ['price IN (qty)', 'IN (...) takes literal values only', 10],
  ['price IN ()', 'at least one value', 10],
  ['price < 1 < 2', 'cannot be chained', 10],
  ["legacy = '{}'", 'is json (@db.Json)', 0],
  ["jsonb_typeof(legacy) = 'object'", 'the column is @db.Json', 13],
  ["data @> '{}'", 'operators such as @>', 5],
  ['now() > createdAt', 'depends on the clock', 0],
  ['createdAt < CURRENT_TIMESTAMP', 'depends on the clock', 12],
  ["createdAt < 'now'", 'evaluated once', 12],
  ["role LIKE 'A%'", 'cast it, role::text LIKE', 0],
  ["upper(role) = 'A'", 'cast it, upper(role::text)', 6],
  ["E'\\x' = name", "prefixed string literals (E'...')", 0],
  ['name = "unterminated', 'unterminated quoted identifier', 7],
  ["name = 'unterminated", 'unterminated string literal', 7],
  ['price > 0 AND', 'ends too early', 13],
  ['price > 0 price', 'unexpected "price" after the end', 10],
  ['Item.price > 0', 'qualified names are not allowed', 4],
  ['price > 0\u0000', 'control character U+0000', 9],
  ['price > 0\r', 'control character U+000D', 9],
  ['CASE WHEN price > 0 THEN TRUE END', 'CASE is not supported', 0],
  ['end > 0', 'quote it: "end"', 0],
  ['array_length(tags, 2) > 0', 'the dimension must be the literal 1', 19],
  ["lower(qty) = 'a'", 'lower() needs text, but qty is number', 6],
  ['"lower"(name) = \'a\'', 'quoted function names are not allowed', 0],
  ['price > 1_000', 'invalid number', 8],
  ['price > 0x10', 'invalid number', 8],
  ['price || name', 'the || and | operators are not supported', 6],
  ['`price` > 0', 'backquotes are not SQL', 0],
  ['price > 0 AND name', 'AND needs a boolean, but name is text', 14],
  ['NOT price', 'NOT needs a boolean', 4],
  ['price IS TRUE', 'IS TRUE needs a boolean', 0],
  ['name + 1 > 0', '+ needs numbers, but name is text', 0],
  ['cardinality(name) > 0', 'cardinality() needs an array', 12],
  ['abs(price, 1) > 0', 'abs takes 1 argument, got 2', 0],
  ['price = "price" = price', 'cannot be chained', 16],
  ['price > 0 OR', 'ends too early', 12],
  ["name SIMILAR TO 'a'", 'SIMILAR TO is not supported', 5],
  ['price ISNULL', 'write IS NULL', 6],
  ['random() < 0.5', 'depends on the clock', 0],
  // The keywords of the grammar are never a bare column name; an error shows them upper-cased.
  ['price > 0 AND AND', 'unexpected AND', 14],
  ['between > 0', 'unexpected BETWEEN', 0],
  ['price > 0 OR distinct', 'unexpected DISTINCT', 13],
  // The function table: its names in the error, each function's arity.
  [
    'sqrt(price) > 0',
    'allowed functions: abs, array_length, btrim, cardinality, char_length, jsonb_typeof, length, lower, upper',
    0,
  ],
  ['btrim(name, name, name) = name', 'btrim takes 1 to 2 arguments, got 3', 0],
  ['array_length(tags) > 0', 'array_length takes array_length(column, 1), got 1', 0],
];

describe('parseCheckExpression: valid', () => {
  it.each(VALID)('%s', (source, sql, columns) => {
    const result = parse(source);
    if (!result.ok) throw new Error(`${source}: ${result.error} at ${result.offset}`);
    expect(result.sql).toBe(sql);
    expect(result.columns).toEqual(columns);
  });

  it('is canonical: parsing the output again gives the same output', () => {
    for (const [source] of VALID) {
      const first = parse(source);
      if (!first.ok) throw new Error(source);
      const second = parse(first.sql);
      if (!second.ok) throw new Error(`${first.sql}: ${second.error}`);
      expect(second.sql).toBe(first.sql);
    }
  });

  it('returns Prisma field names beside database names', () => {
    const result = parse('qty > 0 AND weird > 0 AND createdAt IS NOT NULL');
    expect(result.ok && result.fields).toEqual(['qty', 'weird', 'createdAt']);
    expect(result.ok && result.columns).toEqual(['quantity', 'we"ird', 'created_at']);
  });
});

describe('parseCheckExpression: invalid', () => {
  it.each(INVALID)('%j', (source, message, offset) => {
    const result = parse(source);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain(message);
    expect(result.offset).toBe(offset);
  });

  it('refuses very long and very deep input without overflowing the stack', () => {
    const deep = parse(`${'('.repeat(500)}price > 0${')'.repeat(500)}`);
    expect(deep).toMatchObject({ ok: false, error: expect.stringContaining('nests deeper') });
    const negations = parse(`${'NOT '.repeat(400)}active`);
    expect(negations).toMatchObject({ ok: false, error: expect.stringContaining('nests deeper') });
    const long = parse(`price > 0${' AND price > 0'.repeat(200)}`);
    expect(long).toMatchObject({ ok: false, offset: MAX_CHECK_EXPRESSION_LENGTH });
  });

  it('never throws on arbitrary input', () => {
    const alphabet = [
      'price',
      'name',
      "'x'",
      '"we""ird"',
      '(',
      ')',
      ',',
      '=',
      '<',
      '>',
      '~',
      '!',
      '+',
      '-',
      '*',
      '/',
      '%',
      '::',
      'text',
      'AND',
      'OR',
      'NOT',
      'IS',
      'NULL',
      'IN',
      'BETWEEN',
      'LIKE',
      '1',
      '.5',
      ';',
      '$',
      '--',
      'lower',
      ' ',
    ];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 3000; n++) {
      const length = 1 + Math.floor(random() * 12);
      const source = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(' ');
      const result = parse(source);
      if (result.ok) {
        expect(result.sql).not.toContain(';');
        expect(parse(result.sql)).toMatchObject({ ok: true, sql: result.sql });
      } else {
        expect(result.offset).toBeGreaterThanOrEqual(0);
        expect(result.offset).toBeLessThanOrEqual(source.length);
      }
    }
  });
});

describe('close matches', () => {
  it('edit distance', () => {
    expect(editDistance('price', 'prce')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('suggests near names, nearest first, and nothing for far ones', () => {
    expect(closeMatches('prce', ['name', 'price', 'prize'])).toEqual(['price', 'prize']);
    expect(closeMatches('CreatedAt', ['createdAt', 'updatedAt'])).toEqual(['createdAt', 'updatedAt']);
    expect(closeMatches('zzz', ['price', 'name'])).toEqual([]);
  });
});

describe('rendered expressions on real PostgreSQL', () => {
  const db = testDatabase('check_expression');

  it('every valid expression is accepted as a CHECK constraint on the table Prisma creates', async () => {
    const ddl = await schemaFromEmptySql([{ path: 'expressions.prisma', content: fixtureText('expressions.prisma') }]);
    if (!ddl.ok) throw new Error(ddl.reason);
    // Prisma's engine does not double a `"` inside an @map name (FACTS.md): its DDL says "we"ird".
    expect(ddl.value).toContain('"we"ird"');
    await db.client.query(ddl.value.replace('"we"ird"', '"we""ird"'));
    for (const [index, [source]] of VALID.entries()) {
      const result = parse(source);
      if (!result.ok) throw new Error(source);
      const name = `item_check_${index}`;
      await db.client.query(`ALTER TABLE "Item" ADD CONSTRAINT "${name}" CHECK (${result.sql}) NOT VALID`);
      await db.client.query(`ALTER TABLE "Item" VALIDATE CONSTRAINT "${name}"`);
    }
    const { rows } = await db.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_constraint WHERE conrelid = '"Item"'::regclass AND contype = 'c'`,
    );
    expect(Number(rows[0]!.n)).toBe(VALID.length);
  });
});
