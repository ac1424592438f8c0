/** `tableNamed` answers as `tables.find` by name and schema does, on every corpus schema. */
import { readdirSync } from 'node:fs';
import { tableNamed } from '../../src/model/table-lookup';
import type { Table } from '../../src/model/types';
import { CORPUS } from '../support/corpus';
import { corpusSchema, modelFrom } from '../support/rules';

const scan = (tables: readonly Table[], name: string, schema: string | undefined) =>
  tables.find((t) => t.name === name && t.schema === schema);

describe('tableNamed', () => {
  test.each(readdirSync(CORPUS).filter((f) => f.endsWith('.prisma')))('%s: every table, and misses', (file) => {
    const { tables } = modelFrom(corpusSchema(file), file);
    expect(tables.length).toBeGreaterThan(0);
    for (const t of tables) {
      expect(tableNamed(tables, t.name, t.schema)).toBe(scan(tables, t.name, t.schema));
      // The same name in another schema (or in none) is another table, or none.
      for (const schema of [undefined, 'public', 'other', '']) {
        expect(tableNamed(tables, t.name, schema)).toBe(scan(tables, t.name, schema));
      }
      expect(tableNamed(tables, t.name.toUpperCase() + 'x', t.schema)).toBeUndefined();
    }
  });

  test('the first of two tables with one name, as find answers', () => {
    const a = { name: 'T', schema: 's' } as Table;
    const b = { name: 'T', schema: 's' } as Table;
    const c = { name: 'T', schema: undefined } as Table;
    const tables = [a, b, c];
    expect(tableNamed(tables, 'T', 's')).toBe(a);
    expect(tableNamed(tables, 'T', undefined)).toBe(c);
    expect(tableNamed(tables, 'T', '')).toBeUndefined();
  });
});
