import * as fs from 'node:fs';
import * as path from 'node:path';
import { editSchema, findBlocks } from '../../src/generate/schema-edit';
import type { Table } from '../../src/model/types';
import { loadSchema } from '../../src/schema/load';
import type { SchemaSource } from '../../src/schema/source';
import { gitDiff } from '../support/git-diff';

const ROOT = path.join(__dirname, '..', '..');
const BUNDLED = fs.readFileSync(path.join(ROOT, 'prisma', 'schema.prisma'), 'utf8');

function load(sources: SchemaSource[]) {
  return loadSchema(sources).model;
}

function table(model: ReturnType<typeof load>, name: string): Table {
  const t = model.tables.find((x) => x.model === name);
  if (!t) throw new Error(`no model ${name}`);
  return t;
}

/** Names of the blocks the lines git diff reports as changed lie in (by line number). */
function changedBlocks(before: string, after: string): Set<string> {
  const { text } = gitDiff(before, after);
  const starts = (t: string) => {
    const s = [0];
    for (let i = 0; i < t.length; i++) if (t[i] === '\n') s.push(i + 1);
    return s;
  };
  const sb = starts(before);
  const sa = starts(after);
  const out = new Set<string>();
  const name = (blocks: ReturnType<typeof findBlocks>, offset: number, what: string) => {
    const block = blocks.find((x) => x.start <= offset && offset < x.end);
    out.add(block ? `${block.keyword} ${block.name}` : `outside:${what}`);
  };
  for (const m of text.matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)) {
    const [aStart, aCount, bStart, bCount] = [
      Number(m[1]),
      m[2] === undefined ? 1 : Number(m[2]),
      Number(m[3]),
      m[4] === undefined ? 1 : Number(m[4]),
    ];
    for (let i = 0; i < aCount; i++) name(findBlocks(before), sb[aStart - 1 + i]!, `-${aStart + i}`);
    for (let i = 0; i < bCount; i++) name(findBlocks(after), sa[bStart - 1 + i]!, `+${bStart + i}`);
  }
  return out;
}

function comments(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /^\s*\/\//.test(l) || /\s\/\/ /.test(l))
    .map((l) => l.slice(l.indexOf('//')));
}

describe('bundled example schema', () => {
  const sources = [{ path: 'prisma/schema.prisma', content: BUNDLED }];
  const model = load(sources);

  test("inserts and removes only idxgen's lines: nothing else changes, not even in the edited models", () => {
    const gamification = table(model, 'GamificationEvent');
    const redundant = gamification.indexes.find((i) => i.name === 'GamificationEvent_status_idx')!;
    const gameProfile = table(model, 'GameProfile');
    const onlyAttribute = gameProfile.indexes.find((i) => i.name === 'GameProfile_userId_idx')!;
    const [edit, ...more] = editSchema({
      sources,
      add: [
        {
          table: table(model, 'Post'),
          attribute: '@@index([authorId, createdAt(sort: Desc)], map: "Post_authorId_createdAt_idx")',
        },
        { table: table(model, 'Comment'), attribute: '@@index([authorId], map: "Comment_authorId_idx")' },
        { table: table(model, 'Comment'), attribute: '@@index([parentId], map: "Comment_parentId_idx")' },
        {
          table: table(model, 'DlqEvent'),
          attribute: '@@index([ingestEventId], map: "dlq_events_ingest_event_id_idx")',
        },
      ],
      remove: [
        { span: redundant.span, attribute: '@@index([status])' },
        { span: onlyAttribute.span, attribute: '@@index([userId])' },
      ],
      previewFeatures: [],
    });
    expect(more).toEqual([]);
    expect(edit!.before).toBe(BUNDLED);
    const after = edit!.after;

    // Only the edited models changed.
    expect(changedBlocks(BUNDLED, after)).toEqual(
      new Set(['model Post', 'model Comment', 'model DlqEvent', 'model GamificationEvent', 'model GameProfile']),
    );
    // Post's relation fields are not aligned the way Prisma's formatter would: they stay so.
    const changes = gitDiff(BUNDLED, after);
    expect(changes.inserted).toEqual([
      '',
      '  @@index([authorId, createdAt(sort: Desc)], map: "Post_authorId_createdAt_idx")',
      '  @@index([authorId], map: "Comment_authorId_idx")',
      '  @@index([parentId], map: "Comment_parentId_idx")',
      '  @@index([ingestEventId], map: "dlq_events_ingest_event_id_idx")',
    ]);
    expect(changes.deleted).toEqual([
      '  @@index([status]) // REDUNDANT: left prefix of @@index([status, createdAt])',
      '',
      '  @@index([userId]) // REDUNDANT: duplicates the @unique on userId',
    ]);

    // Every comment except the removed lines' is still there, in order; /// docs too.
    const removedComments = [
      '// REDUNDANT: left prefix of @@index([status, createdAt])',
      '// REDUNDANT: duplicates the @unique on userId',
    ];
    expect(comments(after)).toEqual(comments(BUNDLED).filter((c) => !removedComments.includes(c)));
    expect(after.split('\n').filter((l) => l.trimStart().startsWith('///'))).toEqual(
      BUNDLED.split('\n').filter((l) => l.trimStart().startsWith('///')),
    );

    // idxgen's own hunks say exactly what git diff says.
    expect(edit!.hunks.flatMap((h) => h.inserted)).toEqual(changes.inserted);
    expect(edit!.hunks.flatMap((h) => h.deleted)).toEqual(changes.deleted);

    // Prisma reads the new declarations.
    const reloaded = load([{ path: 'prisma/schema.prisma', content: after }]);
    expect(table(reloaded, 'Post').indexes.map((i) => i.name)).toEqual(['Post_authorId_createdAt_idx']);
    expect(table(reloaded, 'Comment').indexes.map((i) => i.name)).toEqual([
      'Comment_postId_createdAt_idx',
      'Comment_authorId_idx',
      'Comment_parentId_idx',
    ]);
    expect(table(reloaded, 'GamificationEvent').indexes.map((i) => i.name)).toEqual([
      'GamificationEvent_status_createdAt_idx',
    ]);
    expect(table(reloaded, 'GameProfile').indexes).toEqual([]);
  });

  test('models written by hand (not aligned) elsewhere in the file stay as they are', () => {
    const messy = `${BUNDLED}\nmodel Scratch {\n  id Int @id\n  veryLongFieldName   String\n  x Int\n}\n`;
    const src = [{ path: 'prisma/schema.prisma', content: messy }];
    const m = load(src);
    const [edit] = editSchema({
      sources: src,
      add: [{ table: table(m, 'Post'), attribute: '@@index([authorId], map: "Post_authorId_idx")' }],
      remove: [],
      previewFeatures: [],
    });
    expect(edit!.after.endsWith('model Scratch {\n  id Int @id\n  veryLongFieldName   String\n  x Int\n}\n')).toBe(
      true,
    );
    expect(changedBlocks(messy, edit!.after)).toEqual(new Set(['model Post']));
  });

  test('adds a preview feature: a new previewFeatures line in the generator', () => {
    const [edit] = editSchema({
      sources,
      add: [],
      remove: [],
      previewFeatures: ['partialIndexes'],
      generatorSpan: model.generatorSpan,
    });
    expect(changedBlocks(BUNDLED, edit!.after)).toEqual(new Set(['generator client']));
    // The provider line keeps its spacing: only the new line is added.
    expect(edit!.after).toContain(
      'generator client {\n  provider = "prisma-client-js"\n  previewFeatures = ["partialIndexes"]\n}\n',
    );
    expect(gitDiff(BUNDLED, edit!.after)).toMatchObject({
      deleted: [],
      inserted: ['  previewFeatures = ["partialIndexes"]'],
    });
    expect(load([{ path: 'prisma/schema.prisma', content: edit!.after }]).previewFeatures).toContain('partialIndexes');
  });
});

describe('multi-file schema', () => {
  const dir = path.join(ROOT, '__tests__', 'fixtures', 'generate', 'multi', 'prisma', 'schema');
  const files = ['schema.prisma', 'models/post.prisma', 'models/user.prisma'].map((f) => path.join(dir, f));
  const sources = files.map((f) => ({ path: f, content: fs.readFileSync(f, 'utf8') }));
  const model = load(sources);

  test('edits the file that holds the model, and only that file', () => {
    const edits = editSchema({
      sources,
      add: [{ table: table(model, 'Post'), attribute: '@@index([authorId], map: "Post_authorId_idx")' }],
      remove: [],
      previewFeatures: [],
    });
    expect(edits.map((e) => path.relative(dir, e.path))).toEqual(['models/post.prisma']);
    const after = edits[0]!.after;
    expect(gitDiff(edits[0]!.before, after)).toMatchObject({
      deleted: [],
      inserted: ['', '  @@index([authorId], map: "Post_authorId_idx")'],
    });
    expect(after).toContain(
      '  comments Comment[]\n\n  @@index([authorId], map: "Post_authorId_idx")\n}\n\n/// A comment on a post.',
    );
  });

  test('appends to an existing previewFeatures list in the generator file', () => {
    const edits = editSchema({
      sources,
      add: [],
      remove: [],
      previewFeatures: ['partialIndexes'],
      generatorSpan: model.generatorSpan,
    });
    expect(edits.map((e) => path.relative(dir, e.path))).toEqual(['schema.prisma']);
    expect(edits[0]!.after).toContain('previewFeatures = ["relationJoins", "partialIndexes"]');
  });

  test('inserting into a model with attributes keeps its attribute order and adds no blank line', () => {
    const edits = editSchema({
      sources,
      add: [{ table: table(model, 'Comment'), attribute: '@@index([postId], map: "Comment_postId_idx")' }],
      remove: [],
      previewFeatures: [],
    });
    expect(edits[0]!.after).toContain(
      '  @@index([authorId]) // FK indexed\n  @@index([postId], map: "Comment_postId_idx")\n}\n',
    );
  });
});
