import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaModel, Table } from '../../src/model/types';
import { buildModel, SchemaModelError } from '../../src/schema/build-model';
import { truncateUtf8 } from '../../src/schema/names';
import { SchemaSyntaxError } from '../../src/schema/parse';

const FIXTURES = join(__dirname, '../fixtures/schema');
import { CORPUS } from '../support/corpus';

function read(path: string): { path: string; content: string } {
  return { path, content: readFileSync(path, 'utf8') };
}

function table(model: SchemaModel, name: string): Table {
  const t = model.tables.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name} (have ${model.tables.map((x) => x.name).join(', ')})`);
  return t;
}

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`fixture lacks ${needle}`);
  return text.slice(0, index).split('\n').length;
}

// The constraint and index names below are the ones Prisma's schema engine (7.10) generates for
// this fixture (`migrate diff --from-empty --to-schema`); columns and FKs were checked by hand.
describe('shop.prisma (hand-checked)', () => {
  const shop = read(join(FIXTURES, 'shop.prisma'));
  const model = buildModel([shop]);

  it('reads the configuration', () => {
    expect(model.files).toEqual([shop.path]);
    expect(model.provider).toBe('postgresql');
    expect(model.relationMode).toBe('foreignKeys');
    expect(model.previewFeatures).toEqual(['views', 'partialIndexes', 'postgresqlExtensions']);
    expect(model.extensions).toEqual(['pg_trgm', 'citext']);
    expect(model.generatorSpan).toMatchObject({ file: shop.path, line: 6, column: 21 });
    expect(shop.content.slice(model.generatorSpan!.offset, model.generatorSpan!.endOffset)).toBe(
      '["views", "partialIndexes", "postgresqlExtensions"]',
    );
  });

  it('keeps tables in schema order, join tables last', () => {
    expect(model.tables.map((t) => `${t.kind}:${t.name}`)).toEqual([
      'model:users',
      'model:addresses',
      'model:orders',
      'model:Invoice',
      'model:Group',
      'model:Tag',
      // 64 bytes as written: PostgreSQL keeps 63 (see the identifier-too-long warning).
      'model:ThisModelHasAnExtremelyLongNameSoThatItsConstraintNamesMustBeCu',
      'model:tablé_ñandú_ñandú',
      'view:user_stats',
      'model:LegacyThing',
      'implicitJoin:_Follows',
      'implicitJoin:_GroupToUser',
      'implicitJoin:_user "tags"',
    ]);
  });

  it('maps columns to database names and leaves relation fields out', () => {
    const users = table(model, 'users');
    expect(users.model).toBe('User');
    expect(users.columns.map((c) => `${c.field}:${c.name}`)).toEqual([
      'id:id',
      'email:email',
      'name:name',
      'role:role',
      'createdAt:created_at',
      'updatedAt:updated_at',
      'search:search',
      'profile:profile',
      'managerId:manager_id',
    ]);
    const col = Object.fromEntries(users.columns.map((c) => [c.field, c]));
    expect(col.id).toMatchObject({
      type: 'Int',
      kind: 'scalar',
      nullable: false,
      list: false,
      default: 'autoincrement()',
    });
    expect(col.email).toMatchObject({ nativeType: { name: 'Citext', args: [] }, docs: ['Login address, unique.'] });
    expect(col.name).toMatchObject({ nullable: true, nativeType: { name: 'VarChar', args: ['255'] } });
    expect(col.role).toMatchObject({ type: 'Role', kind: 'enum', default: 'MEMBER' });
    expect(col.createdAt).toMatchObject({ default: 'now()', updatedAt: false });
    expect(col.updatedAt).toMatchObject({ updatedAt: true });
    expect(col.search).toMatchObject({ type: 'tsvector', kind: 'unsupported', nullable: true });
    expect(col.profile).toMatchObject({ type: 'Json', default: '"{}"' });
    expect(users.docs).toEqual(['A customer account.', 'Mapped to a snake_case table.']);

    const orders = Object.fromEntries(table(model, 'orders').columns.map((c) => [c.field, c]));
    expect(orders.id).toMatchObject({ nativeType: { name: 'Uuid', args: [] }, default: 'uuid()' });
    expect(orders.total).toMatchObject({ type: 'Decimal', nativeType: { name: 'Decimal', args: ['10', '2'] } });
    expect(orders.note!.default).toBe('"say \\"hi\\" \\\\ bye"');
    expect(orders.placedAt).toMatchObject({
      default: 'dbgenerated("now()")',
      nativeType: { name: 'Timestamptz', args: ['3'] },
    });
    expect(orders.buyerId!.docs).toEqual(['The buyer.']);
    expect(orders.shipKind!.docs).toEqual([]);
  });

  it('has primary keys, uniques and indexes with Prisma default names', () => {
    const users = table(model, 'users');
    expect(users.primaryKey).toMatchObject({
      kind: 'primary',
      name: 'users_pkey',
      explicitName: false,
      fieldLevel: true,
      columns: [{ column: 'id', field: 'id' }],
    });
    expect(users.uniques).toEqual([
      expect.objectContaining({
        kind: 'unique',
        name: 'user_email_key',
        explicitName: true,
        fieldLevel: true,
        method: 'btree',
        columns: [{ column: 'email', field: 'email' }],
      }),
    ]);
    expect(
      users.indexes.map((i) => ({
        name: i.name,
        explicit: i.explicitName,
        method: i.method,
        columns: i.columns,
        where: i.where,
      })),
    ).toEqual([
      {
        name: 'users_created_at_role_idx',
        explicit: false,
        method: 'btree',
        columns: [
          { column: 'created_at', field: 'createdAt', sort: 'desc' },
          { column: 'role', field: 'role' },
        ],
        where: undefined,
      },
      {
        name: 'users_profile_idx',
        explicit: false,
        method: 'gin',
        columns: [{ column: 'profile', field: 'profile', prismaOps: 'JsonbPathOps', opclass: 'jsonb_path_ops' }],
        where: undefined,
      },
      {
        name: 'user_name_trgm',
        explicit: true,
        method: 'gin',
        columns: [{ column: 'name', field: 'name', opclass: 'gin_trgm_ops' }],
        where: undefined,
      },
      {
        name: 'users_email_idx',
        explicit: false,
        method: 'btree',
        columns: [{ column: 'email', field: 'email' }],
        where: "role <> 'guest'",
      },
      // Prisma renders `where: {...}` objects itself; this is its exact output for this index.
      {
        name: 'users_manager_id_idx',
        explicit: false,
        method: 'btree',
        columns: [{ column: 'manager_id', field: 'managerId' }],
        where: '"manager_id" IS NOT NULL AND "name" = \'x"y\'',
      },
    ]);
    expect(users.indexes[0]!.span).toMatchObject({
      file: shop.path,
      line: lineOf(shop.content, '@@index([createdAt(sort: Desc), role])'),
      column: 3,
    });

    const addresses = table(model, 'addresses');
    expect(addresses.primaryKey).toMatchObject({
      name: 'addresses_pkey',
      fieldLevel: false,
      columns: [{ column: 'user_id' }, { column: 'kind' }],
    });

    const orders = table(model, 'orders');
    // `name:` on @@unique names the Prisma Client key, not the constraint.
    expect(orders.uniques).toEqual([
      expect.objectContaining({
        name: 'orders_buyer_id_placedAt_key',
        explicitName: false,
        columns: [
          { column: 'buyer_id', field: 'buyerId' },
          { column: 'placedAt', field: 'placedAt' },
        ],
      }),
    ]);
    expect(orders.indexes).toEqual([
      expect.objectContaining({ name: 'orders_ship_kind_ship_user_id_idx', method: 'hash' }),
    ]);

    expect(table(model, 'Group').uniques[0]).toMatchObject({
      name: 'Group_slug_key',
      columns: [{ column: 'slug', sort: 'desc' }],
    });
    expect(table(model, 'Invoice').uniques[0]!.name).toBe('Invoice_orderId_key');
  });

  it('cuts default names over 63 bytes, also with multi-byte characters', () => {
    // Prisma derives these from the full 64-byte model name, then fits them to 63 bytes.
    const long = table(model, 'ThisModelHasAnExtremelyLongNameSoThatItsConstraintNamesMustBeCu');
    expect(long.primaryKey!.name).toBe('ThisModelHasAnExtremelyLongNameSoThatItsConstraintNamesMus_pkey');
    expect(long.indexes[0]!.name).toBe('ThisModelHasAnExtremelyLongNameSoThatItsConstraintNamesMust_idx');
    expect(long.uniques[0]!.name).toBe('ThisModelHasAnExtremelyLongNameSoThatItsConstraintNamesMust_key');
    const multibyte = table(model, 'tablé_ñandú_ñandú');
    expect(multibyte.primaryKey).toMatchObject({
      name: 'tablé_ñandú_ñandú_pkey',
      columns: [{ column: 'ïd', field: 'id' }],
    });
    expect(multibyte.indexes[0]!.name).toBe('tablé_ñandú_ñandú_ciudad_ñandú_ççççççççç_re_idx');
    expect(Buffer.byteLength(multibyte.indexes[0]!.name)).toBe(63);
  });

  it('builds foreign keys in fields order, with mapped names, on composite keys too', () => {
    const orders = table(model, 'orders');
    expect(orders.foreignKeys).toEqual([
      {
        table: 'orders',
        columns: ['buyer_id'],
        fields: ['buyerId'],
        referencedTable: 'users',
        referencedColumns: ['id'],
        relationField: 'buyer',
        relationName: 'OrderToUser',
        constraintName: 'orders_buyer_id_fkey',
        implicitManyToMany: false,
        span: expect.objectContaining({ file: shop.path, line: lineOf(shop.content, 'buyer       User') }),
      },
      {
        table: 'orders',
        columns: ['ship_kind', 'ship_user_id'],
        fields: ['shipKind', 'shipUserId'],
        referencedTable: 'addresses',
        referencedColumns: ['kind', 'user_id'],
        relationField: 'shipTo',
        relationName: 'AddressToOrder',
        onUpdate: 'NoAction',
        constraintName: 'order_ship_to_fk',
        implicitManyToMany: false,
        span: expect.objectContaining({ line: lineOf(shop.content, 'shipTo      Address') }),
      },
    ]);
    expect(table(model, 'addresses').foreignKeys).toEqual([
      expect.objectContaining({
        columns: ['user_id'],
        referencedTable: 'users',
        onDelete: 'Cascade',
        constraintName: 'addresses_user_id_fkey',
        relationName: 'AddressToUser',
      }),
    ]);
    // Self-relation (1:n) with an explicit relation name.
    expect(table(model, 'users').foreignKeys).toEqual([
      expect.objectContaining({
        columns: ['manager_id'],
        referencedTable: 'users',
        referencedColumns: ['id'],
        relationField: 'manager',
        relationName: 'Management',
        onDelete: 'SetNull',
        constraintName: 'users_manager_id_fkey',
      }),
    ]);
    expect(table(model, 'Invoice').foreignKeys).toEqual([
      expect.objectContaining({
        columns: ['orderId'],
        referencedTable: 'orders',
        constraintName: 'Invoice_orderId_fkey',
      }),
    ]);
  });

  it('creates the join tables of implicit m:n relations (default name, named, self)', () => {
    const groupUser = table(model, '_GroupToUser');
    expect(groupUser).toMatchObject({ kind: 'implicitJoin', model: '_GroupToUser', ignored: false });
    expect(groupUser.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }))).toEqual([
      { name: 'A', type: 'Int', nullable: false },
      { name: 'B', type: 'Int', nullable: false },
    ]);
    expect(groupUser.primaryKey).toMatchObject({
      kind: 'primary',
      name: '_GroupToUser_AB_pkey',
      columns: [{ column: 'A' }, { column: 'B' }],
    });
    expect(groupUser.indexes).toEqual([
      expect.objectContaining({ kind: 'index', name: '_GroupToUser_B_index', columns: [{ column: 'B', field: 'B' }] }),
    ]);
    expect(
      groupUser.foreignKeys.map((f) => [
        f.constraintName,
        f.columns,
        f.referencedTable,
        f.referencedColumns,
        f.relationName,
        f.onDelete,
        f.implicitManyToMany,
      ]),
    ).toEqual([
      ['_GroupToUser_A_fkey', ['A'], 'Group', ['id'], 'GroupToUser', 'Cascade', true],
      ['_GroupToUser_B_fkey', ['B'], 'users', ['id'], 'GroupToUser', 'Cascade', true],
    ]);
    expect(groupUser.foreignKeys[0]!.relationField).toBeUndefined();

    // Named relation: A is Tag (sorts before User); its id type and native type carry over.
    const tags = table(model, '_user "tags"');
    expect(tags.columns[0]).toMatchObject({ name: 'A', type: 'String', nativeType: { name: 'VarChar', args: ['32'] } });
    expect(tags.foreignKeys.map((f) => [f.constraintName, f.referencedTable])).toEqual([
      ['_user "tags"_A_fkey', 'Tag'],
      ['_user "tags"_B_fkey', 'users'],
    ]);

    // Self m:n: both sides reference users.
    const follows = table(model, '_Follows');
    expect(follows.primaryKey!.name).toBe('_Follows_AB_pkey');
    expect(follows.foreignKeys.map((f) => [f.constraintName, f.referencedTable, f.relationName])).toEqual([
      ['_Follows_A_fkey', 'users', 'Follows'],
      ['_Follows_B_fkey', 'users', 'Follows'],
    ]);
    expect(follows.span.line).toBe(lineOf(shop.content, 'followers User[]'));
  });

  it('marks views and ignored models; views get no foreign keys', () => {
    expect(table(model, 'user_stats')).toMatchObject({
      kind: 'view',
      model: 'UserStats',
      ignored: false,
      foreignKeys: [],
    });
    expect(table(model, 'user_stats').uniques[0]!.name).toBe('user_stats_user_id_key');
    expect(table(model, 'LegacyThing')).toMatchObject({ kind: 'model', ignored: true });
  });

  it('reads enums with database names', () => {
    expect(model.enums).toEqual([
      expect.objectContaining({
        name: 'Role',
        dbName: 'user_role',
        values: [
          { name: 'ADMIN', dbName: 'admin' },
          { name: 'MEMBER', dbName: 'member' },
          { name: 'GUEST', dbName: 'GUEST' },
        ],
      }),
    ]);
  });

  it('gives each table the span of its block and of its closing brace', () => {
    const users = table(model, 'users');
    expect(users.span).toMatchObject({ file: shop.path, line: 27, column: 1, endLine: 57, endColumn: 2 });
    expect(users.closeSpan).toMatchObject({ line: 57, column: 1, endLine: 57, endColumn: 2 });
    expect(shop.content.slice(users.closeSpan.offset, users.closeSpan.endOffset)).toBe('}');
    expect(users.columns[0]!.span).toMatchObject({ line: 28, column: 3 });
  });

  it('warns about names PostgreSQL truncates and quotes Prisma would not escape', () => {
    expect(model.warnings.map((w) => [w.code, w.span?.line])).toEqual([
      ['identifier-too-long', lineOf(shop.content, 'model ThisModelHasAnExtremelyLongName')],
      ['unescaped-quote', lineOf(shop.content, 'users User[] @relation("user')],
    ]);
    expect(model.warnings[0]!.message).toContain('"ThisModelHasAnExtremelyLongNameSoThatItsConstraintNamesMustBeCu"');
  });
});

describe('multi-file schema', () => {
  const files = [read(join(FIXTURES, 'multi/schema.prisma')), read(join(FIXTURES, 'multi/books.prisma'))];
  const model = buildModel(files);

  it('resolves relations across files and points spans at the right file', () => {
    expect(model.files).toEqual(files.map((f) => f.path));
    expect(model.relationMode).toBe('prisma');
    const book = table(model, 'Book');
    expect(book.span).toMatchObject({ file: files[1]!.path, line: 3, column: 1 });
    expect(book.closeSpan.file).toBe(files[1]!.path);
    expect(book.foreignKeys).toEqual([
      expect.objectContaining({
        columns: ['author_id'],
        referencedTable: 'Author',
        constraintName: 'Book_author_id_fkey',
        span: expect.objectContaining({ file: files[1]!.path, line: 6 }),
      }),
    ]);
    expect(book.indexes[0]).toMatchObject({ name: 'Book_author_id_idx', span: { file: files[1]!.path, line: 9 } });
    expect(table(model, 'Author').span.file).toBe(files[0]!.path);
  });
});

describe('errors', () => {
  const build =
    (content: string): (() => SchemaModel) =>
    () =>
      buildModel([{ path: 'bad.prisma', content }]);

  it('reports an unknown type at its location', () => {
    expect(build('model A {\n  id Int @id\n  b Nope\n}\n')).toThrow(
      new SchemaModelError(
        { file: 'bad.prisma', line: 3, column: 5, endLine: 3, endColumn: 9, offset: 0, endOffset: 0 },
        'unknown type `Nope`',
      ),
    );
  });

  it('reports an index on a field that does not exist', () => {
    expect(build('model A {\n  id Int @id\n  @@index([nope])\n}\n')).toThrow(
      /^bad\.prisma:3:12: `nope` is not a scalar field of `A`/,
    );
  });

  it('reports syntax errors from the parser', () => {
    expect(build('model A {\n  id Int @map("x)\n}\n')).toThrow(SchemaSyntaxError);
  });

  it('fails only with SchemaSyntaxError / SchemaModelError on damaged schemas', () => {
    const text = readFileSync(join(FIXTURES, 'shop.prisma'), 'utf8');
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      // Drop one line at a time, and cut the file at the start of that line.
      for (const variant of [[...lines.slice(0, i), ...lines.slice(i + 1)].join('\n'), lines.slice(0, i).join('\n')]) {
        try {
          buildModel([{ path: 'damaged.prisma', content: variant }]);
        } catch (e) {
          if (!(e instanceof SchemaModelError) && !(e instanceof SchemaSyntaxError)) throw e;
        }
      }
    }
  });

  it('never throws a TypeError on malformed relations', () => {
    for (const body of [
      'b B @relation(fields: [x], references: [id])',
      'b B @relation(fields: [id], references: [])',
      'bs B[] @relation(fields: id, references: id)',
      'b B @relation(onDelete: Explode)',
    ]) {
      const run = build(`model A {\n  id Int @id\n  ${body}\n}\nmodel B {\n  id Int @id\n  as A[]\n}\n`);
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      if (error !== undefined) expect(error).toBeInstanceOf(SchemaModelError);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Cross-check with Prisma's own datamodel (@prisma/prisma-schema-wasm get_datamodel)

interface DmField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  isList: boolean;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
}
interface DmModel {
  name: string;
  dbName: string | null;
  fields: DmField[];
}
interface DmIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string;
  algorithm?: string;
  fields: { name: string; sortOrder?: string; operatorClass?: string }[];
}
interface Datamodel {
  models: DmModel[];
  enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[];
  indexes: DmIndex[];
}

const wasm = require('@prisma/prisma-schema-wasm') as { get_datamodel(params: string): string };

/** Prisma 7 rejects Prisma 5/6 datasource URLs and removed preview features: blank them, keeping positions. */
function forPrisma7(content: string): string {
  const blank = (m: string): string => m.replace(/[^\n]/g, ' ');
  return content
    .replace(/^[ \t]*(url|directUrl|shadowDatabaseUrl)[ \t]*=.*$/gm, blank)
    .replace(/previewFeatures[ \t]*=[ \t]*\[[^\]]*\]/g, blank);
}

function crossCheck(files: { path: string; content: string }[]): string[] {
  const dm = JSON.parse(
    wasm.get_datamodel(JSON.stringify({ prismaSchema: files.map((f) => [f.path, f.content]), noColor: true })),
  ) as Datamodel;
  const model = buildModel(files);
  const problems: string[] = [];
  // As PostgreSQL stores it (identifiers over 63 bytes are truncated).
  const dbName = (x: { name: string; dbName?: string | null }): string => truncateUtf8(x.dbName ?? x.name, 63);
  const dmModels = new Map(dm.models.map((m) => [m.name, m]));
  const columnOf = (m: DmModel, field: string): string => dbName(m.fields.find((f) => f.name === field)!);
  // get_datamodel leaves out @@ignore'd models; idxgen keeps them (marked) since their tables exist.
  const ours = new Map(model.tables.filter((t) => t.kind !== 'implicitJoin' && !t.ignored).map((t) => [t.model, t]));

  if ([...ours.keys()].join() !== dm.models.map((m) => m.name).join())
    problems.push(`models: ${[...ours.keys()].join()} vs ${dm.models.map((m) => m.name).join()}`);
  for (const m of dm.models) {
    const t = ours.get(m.name);
    if (!t) continue;
    if (t.name !== dbName(m)) problems.push(`${m.name}: table ${t.name} vs ${dbName(m)}`);
    // get_datamodel omits Unsupported(...) fields.
    const expected = m.fields.filter((f) => f.kind !== 'object').map((f) => `${f.name}=${dbName(f)}`);
    const actual = t.columns.filter((c) => c.kind !== 'unsupported').map((c) => `${c.field}=${c.name}`);
    if (expected.join() !== actual.join()) problems.push(`${m.name}: columns ${actual.join()} vs ${expected.join()}`);

    const relations = m.fields.filter((f) => f.kind === 'object' && (f.relationFromFields?.length ?? 0) > 0);
    const target = (f: DmField): DmModel => dmModels.get(f.type)!;
    const viewInvolved = (f: DmField): boolean =>
      model.tables.some((x) => x.model === f.type && x.kind === 'view') || t.kind === 'view';
    const expectedFks = relations
      .filter((f) => !viewInvolved(f))
      .map(
        (f) =>
          `${f.name}: ${f.relationFromFields!.map((n) => columnOf(m, n)).join(',')} -> ${dbName(target(f))}(${f.relationToFields!.map((n) => columnOf(target(f), n)).join(',')}) ${f.relationName}`,
      );
    const actualFks = t.foreignKeys.map(
      (k) =>
        `${k.relationField}: ${k.columns.join(',')} -> ${k.referencedTable}(${k.referencedColumns.join(',')}) ${k.relationName}`,
    );
    if (expectedFks.join('\n') !== actualFks.join('\n'))
      problems.push(`${m.name}: fks\n${actualFks.join('\n')}\nvs\n${expectedFks.join('\n')}`);
  }

  const kinds = { id: 'primary', unique: 'unique', normal: 'index', fulltext: 'fulltext' } as const;
  const expectedIndexes = dm.indexes
    .map((i) => {
      const m = dmModels.get(i.model)!;
      const cols = i.fields.map((f) =>
        [columnOf(m, f.name), f.sortOrder ?? '', f.operatorClass ?? ''].join(' ').trim(),
      );
      return `${i.model} ${kinds[i.type]} [${cols.join(', ')}] ${(i.algorithm ?? 'BTree').toLowerCase()} ${i.dbName ?? '(default)'}`;
    })
    .sort();
  const actualIndexes: string[] = [];
  for (const t of ours.values()) {
    for (const d of [t.primaryKey, ...t.uniques, ...t.indexes]) {
      if (!d) continue;
      const cols = d.columns.map((c) => [c.column, c.sort ?? '', c.prismaOps ?? c.opclass ?? ''].join(' ').trim());
      actualIndexes.push(
        `${t.model} ${d.kind} [${cols.join(', ')}] ${d.method} ${d.explicitName ? d.name : '(default)'}`,
      );
    }
  }
  actualIndexes.sort();
  if (expectedIndexes.join('\n') !== actualIndexes.join('\n')) {
    const missing = expectedIndexes.filter((x) => !actualIndexes.includes(x));
    const extra = actualIndexes.filter((x) => !expectedIndexes.includes(x));
    problems.push(`indexes: missing ${missing.join('; ')} / extra ${extra.join('; ')}`);
  }

  // Implicit m:n: both sides list relation fields without `fields`, same relation name.
  const manyToMany = new Set<string>();
  for (const m of dm.models) {
    for (const f of m.fields) {
      if (f.kind !== 'object' || !f.isList || (f.relationFromFields?.length ?? 0) > 0) continue;
      const opposite = dmModels
        .get(f.type)!
        .fields.find((o) => o.kind === 'object' && o.relationName === f.relationName && o !== f);
      if (
        opposite?.isList &&
        !model.tables.some((x) => x.kind === 'view' && (x.model === m.name || x.model === f.type))
      )
        manyToMany.add(`_${f.relationName}`);
    }
  }
  const joinTables = model.tables.filter((t) => t.kind === 'implicitJoin').map((t) => t.name);
  if ([...manyToMany].sort().join() !== [...joinTables].sort().join())
    problems.push(`m:n ${joinTables.join()} vs ${[...manyToMany].join()}`);

  const expectedEnums = dm.enums.map((e) => `${e.name}=${dbName(e)}(${e.values.map(dbName).join(',')})`);
  const actualEnums = model.enums.map((e) => `${e.name}=${e.dbName}(${e.values.map((v) => v.dbName).join(',')})`);
  if (expectedEnums.join() !== actualEnums.join())
    problems.push(`enums ${actualEnums.join()} vs ${expectedEnums.join()}`);
  return problems;
}

describe('agrees with Prisma (get_datamodel)', () => {
  const corpus = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.prisma'))
    .map((f) => [f, [{ path: f, content: forPrisma7(readFileSync(join(CORPUS, f), 'utf8')) }]] as const);
  const fixtures = [
    ['fixtures/schema/shop.prisma', [read(join(FIXTURES, 'shop.prisma'))]] as const,
    [
      'fixtures/schema/multi',
      [read(join(FIXTURES, 'multi/schema.prisma')), read(join(FIXTURES, 'multi/books.prisma'))],
    ] as const,
  ];

  it('finds the corpus', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(9);
  });

  it.each([...corpus, ...fixtures])('%s: tables, columns, FKs, indexes, m:n tables and enums', (_name, files) => {
    expect(crossCheck([...files])).toEqual([]);
  });
});
