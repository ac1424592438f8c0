/** The real PostgreSQL parser for a test file: loaded once before its tests, and the reads it makes of a statement. */
import { readsOfParsed } from '../../src/workload/from-sql';
import { sqlParser, type SqlParser } from '../../src/workload/sql-parser';
import type { QueryShape } from '../../src/model/query-shape';

export interface SqlReads {
  /** The loaded parser (only inside a test: it is loaded in beforeAll). */
  parser(): SqlParser;
  /** The typed reads of one statement. */
  reads(sql: string): QueryShape[];
}

export function withSqlParser(): SqlReads {
  let loaded: SqlParser | undefined;
  beforeAll(async () => {
    loaded = await sqlParser();
  });
  const parser = () => {
    if (!loaded) throw new Error('the SQL parser is loaded in beforeAll: call parser() inside a test');
    return loaded;
  };
  return { parser, reads: (sql) => readsOfParsed(parser().parse(sql)) };
}
