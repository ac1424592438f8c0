import * as fs from 'node:fs';
import * as path from 'node:path';
import { diffLines } from '../../src/generate/diff';
import { editSchema, findBlocks } from '../../src/generate/schema-edit';
import type { Table } from '../../src/model/types';
import { loadSchema } from '../../src/schema/load';
import type { SchemaSource } from '../../src/schema/source';

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

/** Names of the blocks a line-level diff touched (by position in the before/after texts). */
function changedBlocks(before: string, after: string): Set<string> {
  const ops = diffLines(before, after);
  const blocksBefore = findBlocks(before);
  const blocksAfter = findBlocks(after);
  const offsets = (text: string) => {
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
    return starts;
  };
  const sb = offsets(before);
  const sa = offsets(after);
  const out = new Set<string>();
  let a = 0;
  let b = 0;
  for (const op of ops) {
    if (op.op === 'delete') {
      const block = blocksBefore.find((x) => x.start <= sb[a]! && sb[a]! < x.end);
      out.add(block ? `${block.keyword} ${block.name}` : `outside:${op.line}`);
    } else if (op.op === 'insert') {
      const block = blocksAfter.find((x) => x.start <= sa[b]! && sa[b]! < x.end);
      out.add(block ? `${block.keyword} ${block.name}` : `outside:${op.line}`);
    }
    if (op.op !== 'insert') a++;
    if (op.op !== 'delete') b++;
  }
  return out;
}

/**
 * Line changes that are not only re-alignment: a deleted and an inserted line that differ only
 * in runs of spaces are the formatter aligning columns, and cancel out.
 */
function realChanges(before: string, after: string): { inserted: string[]; deleted: string[]; realigned: number } {
  const ops = diffLines(before, after);
  const squash = (l: string) => l.replace(/\s+/g, ' ').trim();
  const deleted = ops.filter((o) => o.op === 'delete').map((o) => o.line);
  const inserted = ops.filter((o) => o.op === 'insert').map((o) => o.line);
  let realigned = 0;
  for (let i = deleted.length - 1; i >= 0; i--) {
    const j = inserted.findIndex((l) => l !== deleted[i] && squash(l) === squash(deleted[i]!));
    if (j >= 0) {
      inserted.splice(j, 1);
      deleted.splice(i, 1);
      realigned++;
    }
  }
  return { inserted, deleted, realigned };
}

function comments(text: string): string[] {
  return text.split('\n').filter((l) => /^\s*\/\//.test(l) || /\s\/\/ /.test(l)).map((l) => l.slice(l.indexOf('//')));
}

describe('bundled example schema', () => {
  const sources = [{ path: 'prisma/schema.prisma', content: BUNDLED }];
  const model = load(sources);

  test('inserts, removes and formats only inside the edited models', () => {
    const gamification = table(model, 'GamificationEvent');
    const redundant = gamification.indexes.find((i) => i.name === 'GamificationEvent_status_idx')!;
    const gameProfile = table(model, 'GameProfile');
    const onlyAttribute = gameProfile.indexes.find((i) => i.name === 'GameProfile_userId_idx')!;
    const [edit, ...more] = editSchema({
      sources,
      add: [
        { table: table(model, 'Post'), attribute: '@@index([authorId, createdAt(sort: Desc)], map: "Post_authorId_createdAt_idx")' },
        { table: table(model, 'Comment'), attribute: '@@index([authorId], map: "Comment_authorId_idx")' },
        { table: table(model, 'Comment'), attribute: '@@index([parentId], map: "Comment_parentId_idx")' },
        { table: table(model, 'DlqEvent'), attribute: '@@index([ingestEventId], map: "dlq_events_ingest_event_id_idx")' },
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
    expect(changedBlocks(BUNDLED, after)).toEqual(new Set(['model Post', 'model Comment', 'model DlqEvent', 'model GamificationEvent', 'model GameProfile']));
    const changes = realChanges(BUNDLED, after);
    expect(changes.realigned).toBeGreaterThan(0); // Post's relation fields get aligned
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
    const removedComments = ['// REDUNDANT: left prefix of @@index([status, createdAt])', '// REDUNDANT: duplicates the @unique on userId'];
    expect(comments(after)).toEqual(comments(BUNDLED).filter((c) => !removedComments.includes(c)));
    expect(after.split('\n').filter((l) => l.trimStart().startsWith('///'))).toEqual(BUNDLED.split('\n').filter((l) => l.trimStart().startsWith('///')));

    // The result is what Prisma's formatter would write, and Prisma reads the new declarations.
    const reloaded = load([{ path: 'prisma/schema.prisma', content: after }]);
    expect(table(reloaded, 'Post').indexes.map((i) => i.name)).toEqual(['Post_authorId_createdAt_idx']);
    expect(table(reloaded, 'Comment').indexes.map((i) => i.name)).toEqual(['Comment_postId_createdAt_idx', 'Comment_authorId_idx', 'Comment_parentId_idx']);
    expect(table(reloaded, 'GamificationEvent').indexes.map((i) => i.name)).toEqual(['GamificationEvent_status_createdAt_idx']);
    expect(table(reloaded, 'GameProfile').indexes).toEqual([]);
  });

  test('models written by hand (not aligned) elsewhere in the file stay as they are', () => {
    const messy = `${BUNDLED}\nmodel Scratch {\n  id Int @id\n  veryLongFieldName   String\n  x Int\n}\n`;
    const src = [{ path: 'prisma/schema.prisma', content: messy }];
    const m = load(src);
    const [edit] = editSchema({ sources: src, add: [{ table: table(m, 'Post'), attribute: '@@index([authorId], map: "Post_authorId_idx")' }], remove: [], previewFeatures: [] });
    expect(edit!.after.endsWith('model Scratch {\n  id Int @id\n  veryLongFieldName   String\n  x Int\n}\n')).toBe(true);
    expect(changedBlocks(messy, edit!.after)).toEqual(new Set(['model Post']));
  });

  test('adds a preview feature: a new previewFeatures line in the generator', () => {
    const [edit] = editSchema({ sources, add: [], remove: [], previewFeatures: ['partialIndexes'], generatorSpan: model.generatorSpan });
    expect(changedBlocks(BUNDLED, edit!.after)).toEqual(new Set(['generator client']));
    expect(edit!.after).toContain('generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["partialIndexes"]\n}\n');
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
    expect(diffLines(edits[0]!.before, after).filter((o) => o.op !== 'equal')).toEqual([
      { op: 'insert', line: '' },
      { op: 'insert', line: '  @@index([authorId], map: "Post_authorId_idx")' },
    ]);
    expect(after).toContain('  comments Comment[]\n\n  @@index([authorId], map: "Post_authorId_idx")\n}\n\n/// A comment on a post.');
  });

  test('appends to an existing previewFeatures list in the generator file', () => {
    const edits = editSchema({ sources, add: [], remove: [], previewFeatures: ['partialIndexes'], generatorSpan: model.generatorSpan });
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
    expect(edits[0]!.after).toContain('  @@index([authorId]) // FK indexed\n  @@index([postId], map: "Comment_postId_idx")\n}\n');
  });
});
