import { exactUnique, findCovering, judgeCoverage } from '../../src/rules/coverage';
import { bestCover, isPrefixOf } from '../../src/rules/redundant-index';
import { modelFrom, schema } from '../support/rules';

describe('coverage on a built model', () => {
  const model = modelFrom(
    schema(
      `
model T {
  a Int
  b Int
  c Int
  d Int?
  e Int

  @@id([a, b])
  @@unique([c, b])
  @@index([d], where: raw("\\"d\\" IS NOT NULL"))
  @@index([e(sort: Desc), a])
}`,
      { previewFeatures: ['partialIndexes'] },
    ),
  );
  const t = model.tables.find((x) => x.name === 'T')!;

  it('finds the covering index for column sets in any order among the first k', () => {
    expect(findCovering(t, ['a']).covering?.name).toBe('T_pkey');
    expect(findCovering(t, ['b', 'a']).covering?.name).toBe('T_pkey');
    expect(findCovering(t, ['b']).covering).toBeUndefined();
    expect(findCovering(t, ['b', 'c']).covering?.name).toBe('T_c_b_key');
    expect(findCovering(t, ['d']).covering?.name).toBe('T_d_idx');
    expect(findCovering(t, ['e']).covering?.name).toBe('T_e_a_idx');
    expect(findCovering(t, ['a', 'e']).covering?.name).toBe('T_e_a_idx');
    expect(findCovering(t, ['a', 'b', 'c']).covering).toBeUndefined();
  });

  it('explains each verdict', () => {
    expect(judgeCoverage(t, t.primaryKey!, ['b']).reason).toBe(
      'primary key "T_pkey" ("a", "b"): does not start with ("b")',
    );
    expect(judgeCoverage(t, t.primaryKey!, ['b', 'c']).reason).toBe(
      'primary key "T_pkey" ("a", "b"): its first 2 columns are ("a", "b"), not ("b", "c")',
    );
    expect(judgeCoverage(t, t.indexes[1]!, ['e']).reason).toBe('index "T_e_a_idx" ("e" DESC, "a"): starts with ("e")');
  });

  it('exactUnique needs exactly the columns', () => {
    expect(exactUnique(t, ['b', 'a'])?.name).toBe('T_pkey');
    expect(exactUnique(t, ['a'])).toBeUndefined();
  });

  it('isPrefixOf / bestCover', () => {
    const [partial, descA] = t.indexes;
    expect(isPrefixOf(partial!, partial!)).toBe(true);
    expect(isPrefixOf(descA!, t.primaryKey!)).toBe(false);
    expect(bestCover(descA!, [t.primaryKey!, ...t.uniques, ...t.indexes])).toBeUndefined();
  });
});
