import { naiveSplit, splitStatements } from '../../src/db/split';
import { sqlParser } from '../../src/workload/sql-parser';

// Migration SQL is read and split by PostgreSQL's parser, which loads asynchronously.
beforeAll(() => sqlParser());

const sqls = (script: string) => splitStatements(script).map((s) => s.sql);

describe('splitStatements', () => {
  test('plain statements, trailing statement without ;, blank pieces dropped', () => {
    expect(sqls('SELECT 1;\n\nSELECT 2 ;;\n  SELECT 3')).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3']);
  });

  test('semicolons inside single-quoted strings, with doubled quotes', () => {
    expect(sqls(`INSERT INTO t VALUES ('a;b', 'it''s; fine');SELECT 2;`)).toEqual([
      `INSERT INTO t VALUES ('a;b', 'it''s; fine')`,
      'SELECT 2',
    ]);
  });

  test('escape strings: backslash-quote does not end the string', () => {
    expect(sqls(`SELECT E'a\\';b';SELECT 'c\\';`)).toEqual([`SELECT E'a\\';b'`, `SELECT 'c\\'`]);
  });

  test('semicolons inside quoted identifiers', () => {
    expect(sqls(`CREATE TABLE "we;ird ""x"" ;" (id int); SELECT 1`)).toEqual([
      `CREATE TABLE "we;ird ""x"" ;" (id int)`,
      'SELECT 1',
    ]);
  });

  test('line and nested block comments; leading comments are not part of the statement', () => {
    const script = `-- first; not a split\nSELECT 1; /* a; /* nested; */ still comment; */ SELECT 2 -- tail;\n;`;
    expect(sqls(script)).toEqual(['SELECT 1', 'SELECT 2 -- tail;']);
  });

  test('comment-only script has no statements', () => {
    expect(sqls('-- only a comment;\n/* and ; this */\n')).toEqual([]);
  });

  test('dollar quoting, tagged and untagged; $1 and a$b are not quotes', () => {
    const fn = `CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql`;
    const tagged = `DO $body$ BEGIN PERFORM 'x;'; $$ inner $$; END $body$`;
    const param = `PREPARE p AS SELECT $1::int; SELECT a$b FROM t`;
    expect(sqls(`${fn};\n${tagged};\n${param}`)).toEqual([
      fn,
      tagged,
      'PREPARE p AS SELECT $1::int',
      'SELECT a$b FROM t',
    ]);
  });

  test('SQL-standard routine body: BEGIN ATOMIC ... END keeps its semicolons', () => {
    const fn = `CREATE OR REPLACE FUNCTION g(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END; SELECT x; END`;
    expect(sqls(`${fn};\nSELECT 2;`)).toEqual([fn, 'SELECT 2']);
  });

  test('BEGIN as a transaction statement is still split', () => {
    expect(sqls('BEGIN; CREATE INDEX i ON t(a); COMMIT;')).toEqual(['BEGIN', 'CREATE INDEX i ON t(a)', 'COMMIT']);
  });

  test('offsets and lines point into the script', () => {
    const script = `-- header\nSELECT 1;\n\n  CREATE INDEX CONCURRENTLY i ON t (a);\n`;
    const [a, b] = splitStatements(script);
    expect(script.slice(a.offset, a.offset + a.sql.length)).toBe('SELECT 1');
    expect(a.line).toBe(2);
    expect(b.line).toBe(4);
    expect(script.slice(b.offset, b.offset + b.sql.length)).toBe(b.sql);
  });

  test('a script with a statement PostgreSQL cannot parse is split at the lexer\'s ";" tokens: the statements before it still run, PostgreSQL reports it', () => {
    const script = `CREATE TABLE kept (id int);\n-- c\nCREATE TABLE broken (id int,, x int);\nSELECT 'é;' /* ; */;\n`;
    expect(splitStatements(script)).toEqual([
      { sql: 'CREATE TABLE kept (id int)', offset: 0, line: 1 },
      { sql: 'CREATE TABLE broken (id int,, x int)', offset: 33, line: 3 },
      { sql: "SELECT 'é;' /* ; */", offset: 71, line: 4 },
    ]);
    expect(splitStatements(`\n\n  CREAT INDEX i ON t (a);`)).toEqual([
      { sql: 'CREAT INDEX i ON t (a)', offset: 4, line: 3 },
    ]);
  });

  test('a script even the lexer rejects (unterminated string or comment) is one statement, never a throw: PostgreSQL reports it when it runs', () => {
    expect(sqls(`SELECT 'abc; SELECT 2`)).toEqual([`SELECT 'abc; SELECT 2`]);
    expect(sqls(`SELECT 1; /* open ; comment`)).toEqual(['SELECT 1; /* open ; comment']);
  });

  test('offsets and lines count UTF-16 code units, while the parser counts UTF-8 bytes', () => {
    const script = `SELECT '\u00e9\u{1F600}';\nCREATE INDEX "\u00fc" ON t (a);`;
    const [a, b] = splitStatements(script);
    expect(script.slice(b!.offset, b!.offset + b!.sql.length)).toBe('CREATE INDEX "\u00fc" ON t (a)');
    expect([a!.line, b!.line]).toEqual([1, 2]);
  });
});

describe('naiveSplit (what adapter-pg 7.10 executeScript does)', () => {
  test('splits on every semicolon, even inside strings', () => {
    expect(naiveSplit(`INSERT INTO t VALUES ('a;b');`).map((s) => s.sql)).toEqual([`INSERT INTO t VALUES ('a`, `b')`]);
  });

  test('agrees with splitStatements on files without tricky semicolons', () => {
    const script = `-- cic\nSET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY "i" ON "t"("a");\n`;
    expect(naiveSplit(script).length).toBe(splitStatements(script).length);
  });
});
