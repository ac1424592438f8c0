import { readPredicate } from '../../src/sql/predicate';

/** [where text, the tree read from it; `sql` when it stays text] */
const CASES: [string, ReturnType<typeof readPredicate> | 'sql'][] = [
  ['"deletedAt" IS NULL', { kind: 'null-test', column: 'deletedAt', isNull: true }],
  ['deleted_at IS NOT NULL', { kind: 'null-test', column: 'deleted_at', isNull: false }],
  // A keyword of the predicate grammar is never a bare column name; quoted, it is one.
  ['null IS NULL', 'sql'],
  ['in IS NULL', 'sql'],
  ['any IS NULL', 'sql'],
  ['array IS NULL', 'sql'],
  ['"any" IS NULL', { kind: 'null-test', column: 'any', isNull: true }],
  // A word that is a keyword only of other grammars is a column here.
  ['between IS NULL', { kind: 'null-test', column: 'between', isNull: true }],
];

describe('readPredicate: keywords and column names', () => {
  it.each(CASES)('%s', (text, expected) => {
    expect(readPredicate(text)).toEqual(expected === 'sql' ? { kind: 'sql', text } : expected);
  });
});
