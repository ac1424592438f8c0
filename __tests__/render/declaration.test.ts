/**
 * Declarations are checked twice: exact text, and by Prisma's own parser (prisma-schema-wasm):
 * the line must validate, and the DMMF must read back the same fields, sort, ops, type and name.
 */
import * as psl from '@prisma/prisma-schema-wasm';
import { CHECK_DECLARATION_REASON, prismaString, renderDeclaration } from '../../src/render/declaration';
import type { IndexSpec } from '../../src/rules/types';
import {
  btree,
  check,
  dropIndex,
  ginJsonb,
  hostileIndex,
  partialInclude,
  partialUnique,
  SPAN,
  trigram,
} from '../support/render-fixtures';

interface DmmfIndex {
  model: string;
  type: string;
  dbName?: string;
  algorithm?: string;
  fields: { name: string; sortOrder?: string; operatorClass?: string }[];
}

const MODEL = `model Post {
  id        Int       @id
  authorId  Int
  createdAt DateTime
  title     String
  payload   Json
  email     String
  deletedAt DateTime?
  weird     Int       @map("we\\"ird; DROP TABLE x; --")
  ATTRIBUTE
}
`;

/** Validates `attribute` inside a model with Prisma's parser and returns the index Prisma reads. */
function prismaReads(attribute: string, previewFeatures: string[] = []): DmmfIndex {
  const schema =
    `datasource db {\n  provider = "postgresql"\n}\n\n` +
    `generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = [${previewFeatures.map((f) => `"${f}"`).join(', ')}]\n}\n\n` +
    MODEL.replace('ATTRIBUTE', attribute);
  const files = JSON.stringify({ prismaSchema: [['schema.prisma', schema]], noColor: true });
  psl.validate(files); // throws with Prisma's P1012 text when the line is wrong
  const dmmf = JSON.parse(psl.get_dmmf(files)) as { datamodel: { indexes: DmmfIndex[] } };
  const found = dmmf.datamodel.indexes.filter((i) => i.type !== 'id');
  expect(found).toHaveLength(1);
  return found[0];
}

describe('renderDeclaration: indexes', () => {
  test('btree with DESC: field names, sort, map', () => {
    const d = renderDeclaration(btree, 'Post_authorId_createdAt_idx');
    expect(d).toEqual({
      kind: 'attribute',
      attribute: '@@index([authorId, createdAt(sort: Desc)], map: "Post_authorId_createdAt_idx")',
      previewFeatures: [],
    });
    if (d.kind !== 'attribute') return;
    expect(prismaReads(d.attribute)).toEqual({
      model: 'Post',
      type: 'normal',
      isDefinedOnField: false,
      dbName: 'Post_authorId_createdAt_idx',
      fields: [{ name: 'authorId' }, { name: 'createdAt', sortOrder: 'desc' }],
    });
  });

  test('GIN with a Prisma-known operator class: ops: JsonbPathOps, type: Gin (after map:, as introspection writes it)', () => {
    const d = renderDeclaration(ginJsonb, 'Event_payload_idx');
    expect(d).toEqual({
      kind: 'attribute',
      attribute: '@@index([payload(ops: JsonbPathOps)], map: "Event_payload_idx", type: Gin)',
      previewFeatures: [],
    });
    if (d.kind !== 'attribute') return;
    expect(prismaReads(d.attribute)).toMatchObject({
      algorithm: 'Gin',
      dbName: 'Event_payload_idx',
      fields: [{ name: 'payload', operatorClass: 'JsonbPathOps' }],
    });
  });

  test('an operator class Prisma has no name for: ops: raw("gin_trgm_ops")', () => {
    const d = renderDeclaration(trigram, 'Post_title_idx');
    expect(d).toEqual({
      kind: 'attribute',
      attribute: '@@index([title(ops: raw("gin_trgm_ops"))], map: "Post_title_idx", type: Gin)',
      previewFeatures: [],
    });
    if (d.kind !== 'attribute') return;
    expect(prismaReads(d.attribute)).toMatchObject({
      algorithm: 'Gin',
      fields: [{ name: 'title', operatorClass: 'gin_trgm_ops' }],
    });
  });

  test('partial unique: @@unique, where: raw(...) with escaped quotes, needs partialIndexes', () => {
    const d = renderDeclaration(partialUnique, 'User_email_key');
    expect(d).toEqual({
      kind: 'attribute',
      attribute: '@@unique([email], map: "User_email_key", where: raw("\\"deletedAt\\" IS NULL"))',
      previewFeatures: ['partialIndexes'],
    });
    if (d.kind !== 'attribute') return;
    expect(prismaReads(d.attribute, d.previewFeatures)).toMatchObject({
      type: 'unique',
      dbName: 'User_email_key',
      fields: [{ name: 'email' }],
    });
    // Without the preview feature Prisma refuses where:.
    expect(() => prismaReads(d.attribute)).toThrow(/partialIndexes/);
  });

  test('every access method maps to the type: Prisma knows', () => {
    const types: Record<IndexSpec['method'], string | undefined> = {
      btree: undefined,
      hash: 'Hash',
      gist: 'Gist',
      gin: 'Gin',
      spgist: 'SpGist',
      brin: 'Brin',
    };
    for (const [method, type] of Object.entries(types)) {
      const d = renderDeclaration(
        { ...btree, method: method as IndexSpec['method'], columns: [{ column: 'authorId', field: 'authorId' }] },
        'i',
      );
      expect(d).toMatchObject({ attribute: `@@index([authorId], map: "i"${type ? `, type: ${type}` : ''})` });
    }
    // hash and brin on an Int validate; gist/spgist need a geometric type, so Prisma rejects them
    // for Int with a message that names the type: proof the name itself is known.
    expect(prismaReads('@@index([authorId], map: "i", type: Hash)')).toMatchObject({ algorithm: 'Hash' });
    expect(prismaReads('@@index([authorId], map: "i", type: Brin)')).toMatchObject({ algorithm: 'Brin' });
    expect(() => prismaReads('@@index([authorId], map: "i", type: SpGist)')).toThrow(
      /SpGist index type does not support/,
    );
  });

  test('hostile names: map: and where: escape " and \\ and line breaks, and Prisma reads the exact name back', () => {
    const name = 'x\ny; "q" \\ */ DROP\ttab\u0001';
    const d = renderDeclaration(hostileIndex, name);
    expect(d).toEqual({
      kind: 'attribute',
      attribute:
        '@@index([weird, createdAt(sort: Desc)], map: "x\\ny; \\"q\\" \\\\ */ DROP\\ttab\\u0001", ' +
        // The fixture's predicate is built with quoteIdent: a U& identifier, whose backslashes are escaped too.
        'where: raw("U&\\"we\\"\\"ird\\\\003B DROP TABLE x\\\\003B --\\" IS NOT NULL"))',
      previewFeatures: ['partialIndexes'],
    });
    if (d.kind !== 'attribute') return;
    expect(prismaReads(d.attribute, d.previewFeatures).dbName).toBe(name);
  });

  test('prismaString escapes exactly what Prisma needs', () => {
    expect(prismaString('plain')).toBe('"plain"');
    expect(prismaString('a"b\\c\nd\re\tf\u0000g\u2028')).toBe('"a\\"b\\\\c\\nd\\re\\tf\\u0000g\\u2028"');
  });

  test('INCLUDE cannot be declared: none, with a drift warning', () => {
    const d = renderDeclaration(partialInclude, 'Job_status_runAt_idx');
    expect(d).toMatchObject({ kind: 'none', drift: true });
    if (d.kind !== 'none') return;
    expect(d.reason).toMatch(/^Prisma cannot declare an index with INCLUDE columns \(id\)/);
    expect(d.reason).toMatch(/DROP INDEX/);
  });

  test('field and operator-class names are checked, never pasted', () => {
    expect(() =>
      renderDeclaration({ ...btree, columns: [{ column: 'a', field: 'a], map: "x"), @@ignore //' }] }, 'i'),
    ).toThrow(/not a Prisma field name/);
    expect(() =>
      renderDeclaration({ ...ginJsonb, columns: [{ column: 'p', field: 'p', prismaOps: 'X)' }] }, 'i'),
    ).toThrow(/operator class/);
  });
});

describe('renderDeclaration: check and drop-index', () => {
  test('CHECK: none, no drift', () => {
    expect(renderDeclaration(check, check.name)).toEqual({
      kind: 'none',
      drift: false,
      reason: CHECK_DECLARATION_REASON,
    });
    expect(CHECK_DECLARATION_REASON).toBe('Prisma cannot declare CHECK constraints and does not treat them as drift');
  });

  test('drop-index: drop-attribute with the span to remove and the line as Prisma writes it', () => {
    expect(renderDeclaration(dropIndex, dropIndex.name, SPAN)).toEqual({
      kind: 'drop-attribute',
      span: SPAN,
      attribute: '@@index([authorId], map: "Post_authorId_idx")',
    });
  });

  test('drop-index needs the span of the attribute', () => {
    expect(() => renderDeclaration(dropIndex, dropIndex.name)).toThrow(/span of the attribute to remove is required/);
  });

  test('drop-index of an index Prisma cannot declare: nothing to remove', () => {
    const spec = { ...dropIndex, recreate: { ...dropIndex.recreate, include: ['id'] } };
    expect(renderDeclaration(spec, spec.name)).toMatchObject({ kind: 'none', drift: false });
  });
});
