import { parseConfig } from '../../src/config/config';
import { planModel, rules } from '../../src/cli/context';
import { defaultConstraintName, utf8ByteLength } from '../../src/schema/names';
import { modelFrom } from '../support/rules';

const LONG = `Order${'x'.repeat(55)}`; // 60 bytes: every index name on it is cut at 63 bytes

function plannedNames(schema: string): string[] {
  const parsed = parseConfig({}, rules);
  if (!('config' in parsed)) throw new Error(parsed.errors.join('; '));
  return planModel(modelFrom(schema), parsed.config).entries.map((e) => e.name);
}

function schemaWith(takenNames: string[]): string {
  const taken = takenNames.map((name, i) => `  extra${i} Int\n  @@index([extra${i}], map: "${name}")`).join('\n');
  return `datasource db {
  provider = "postgresql"
}

model User {
  id     Int @id
  orders ${LONG}[]
}

model ${LONG} {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
${taken}
}
`;
}

describe('index names at the 63-byte limit', () => {
  const preferred = defaultConstraintName(LONG, ['authorId'], '_idx');

  test('the default name is cut to 63 bytes, as Prisma and PostgreSQL cut it', () => {
    expect(utf8ByteLength(preferred)).toBe(63);
    expect(plannedNames(schemaWith([]))).toEqual([preferred]);
  });

  test('when the cut default name is taken, a number goes in front of the suffix, inside the 63 bytes', () => {
    // The method fallback (`…_authorId_btree_idx`) cuts to the very same 63 bytes: it cannot help.
    expect(defaultConstraintName(LONG, ['authorId', 'btree'], '_idx')).toBe(preferred);
    const names = plannedNames(schemaWith([preferred]));
    expect(names).toEqual([`${preferred.slice(0, 63 - '_2_idx'.length)}_2_idx`]);
    expect(utf8ByteLength(names[0])).toBe(63);
  });

  test('keeps counting while numbered names are taken too', () => {
    const second = `${preferred.slice(0, 63 - '_2_idx'.length)}_2_idx`;
    expect(plannedNames(schemaWith([preferred, second]))).toEqual([
      `${preferred.slice(0, 63 - '_3_idx'.length)}_3_idx`,
    ]);
  });
});
