import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigBlock, EnumBlock, Expression, ModelBlock, SchemaFile } from '../../src/schema/ast';
import { parseSchema, SchemaSyntaxError, tokenize, TokenKind } from '../../src/schema/parse';

import { CORPUS } from '../support/corpus';
const FIXTURES = join(__dirname, '../fixtures/schema');

function model(file: SchemaFile, name: string): ModelBlock {
  const block = file.blocks.find((b) => b.name === name);
  if (!block || (block.kind !== 'model' && block.kind !== 'view' && block.kind !== 'type'))
    throw new Error(`no model ${name}`);
  return block;
}

function slice(file: SchemaFile, span: { offset: number; endOffset: number }): string {
  return file.content.slice(span.offset, span.endOffset);
}

const SCHEMA = [
  'datasource db {',
  '  provider   = "postgresql"',
  '  extensions = [pg_trgm, citext(schema: "x")]',
  '}',
  '',
  '/// A post.',
  '/// Second line.',
  'model Post {',
  '  id    Int     @id @default(autoincrement())',
  '  /// The title.',
  '  title String  @db.VarChar(255) /// trailing doc',
  '  body  String? @map("body_text") // not a doc',
  '  tags  String[]',
  '  tsv   Unsupported("tsvector")?',
  '  /* block',
  '     comment */ data Json @default("{\\"a\\": \\"b\\\\c\\"}")',
  '',
  '  @@index([data(ops: JsonbPathOps), title(sort: Desc)], type: Gin, where: raw("title <> \'\'"))',
  '  @@unique(fields: [title, body], map: "post_tb")',
  '}',
  '',
  'enum Color {',
  '  RED @map("red")',
  '  /// doc of GREEN',
  '  GREEN',
  '  @@map("colors")',
  '}',
].join('\n');

describe('parseSchema', () => {
  const file = parseSchema('schema.prisma', SCHEMA);

  it('reads every block in order', () => {
    expect(file.blocks.map((b) => `${b.kind} ${b.name}`)).toEqual(['datasource db', 'model Post', 'enum Color']);
  });

  it('gives 1-based spans for blocks, fields, attributes and the closing brace', () => {
    const post = model(file, 'Post');
    expect(post.span).toMatchObject({ file: 'schema.prisma', line: 8, column: 1, endLine: 20, endColumn: 2 });
    expect(post.closeSpan).toMatchObject({ line: 20, column: 1, endLine: 20, endColumn: 2 });
    expect(slice(file, post.closeSpan)).toBe('}');
    const title = post.fields.find((f) => f.name === 'title')!;
    expect(title.span).toMatchObject({ line: 11, column: 3, endLine: 11 });
    expect(slice(file, title.span)).toBe('title String  @db.VarChar(255)');
    expect(slice(file, title.attributes[0]!.span)).toBe('@db.VarChar(255)');
    const index = post.attributes[0]!;
    expect(index).toMatchObject({ name: 'index', block: true, hasArgs: true });
    expect(index.span).toMatchObject({ line: 18, column: 3 });
    expect(slice(file, index.span)).toBe(
      '@@index([data(ops: JsonbPathOps), title(sort: Desc)], type: Gin, where: raw("title <> \'\'"))',
    );
  });

  it('reads field types: optional, list, Unsupported', () => {
    const post = model(file, 'Post');
    const types = Object.fromEntries(post.fields.map((f) => [f.name, f.type]));
    expect(types.id).toMatchObject({ name: 'Int', optional: false, list: false, unsupported: false });
    expect(types.body).toMatchObject({ name: 'String', optional: true });
    expect(types.tags).toMatchObject({ name: 'String', list: true });
    expect(types.tsv).toMatchObject({ name: 'tsvector', unsupported: true, optional: true });
  });

  it('attaches /// and block comments as documentation, not // comments', () => {
    const post = model(file, 'Post');
    expect(post.docs).toEqual(['A post.', 'Second line.']);
    const docs = Object.fromEntries(post.fields.map((f) => [f.name, f.docs]));
    expect(docs.title).toEqual(['The title.', 'trailing doc']);
    expect(docs.body).toEqual([]);
    expect(docs.data).toEqual(['block', 'comment']);
    const color = file.blocks[2] as EnumBlock;
    expect(color.values.map((v) => [v.name, v.docs])).toEqual([
      ['RED', []],
      ['GREEN', ['doc of GREEN']],
    ]);
    expect(color.attributes.map((a) => a.name)).toEqual(['map']);
  });

  it('resolves string escapes', () => {
    const data = model(file, 'Post').fields.find((f) => f.name === 'data')!;
    const value = data.attributes[0]!.args[0]!.value as Expression;
    expect(value).toMatchObject({ kind: 'string', value: '{"a": "b\\c"}' });
  });

  it('reads arrays, calls, named arguments and field arguments', () => {
    const index = model(file, 'Post').attributes[0]!;
    const [fields, type, where] = index.args;
    expect(fields!.name).toBeUndefined();
    expect(fields!.value).toMatchObject({
      kind: 'array',
      items: [
        { kind: 'call', name: 'data', args: [{ name: 'ops', value: { kind: 'path', name: 'JsonbPathOps' } }] },
        { kind: 'call', name: 'title', args: [{ name: 'sort', value: { kind: 'path', name: 'Desc' } }] },
      ],
    });
    expect(type).toMatchObject({ name: 'type', value: { kind: 'path', name: 'Gin' } });
    expect(where).toMatchObject({
      name: 'where',
      value: { kind: 'call', name: 'raw', args: [{ value: { kind: 'string', value: "title <> ''" } }] },
    });
    const unique = model(file, 'Post').attributes[1]!;
    expect(unique.args.map((a) => a.name)).toEqual(['fields', 'map']);
  });

  it('reads datasource properties', () => {
    const ds = file.blocks[0] as ConfigBlock;
    expect(ds.properties.map((p) => p.key)).toEqual(['provider', 'extensions']);
    expect(ds.properties[1]!.value).toMatchObject({
      kind: 'array',
      items: [
        { kind: 'path', name: 'pg_trgm' },
        { kind: 'call', name: 'citext', args: [{ name: 'schema', value: { kind: 'string', value: 'x' } }] },
      ],
    });
  });

  it('reads where: objects, numbers, trailing commas and empty named arguments', () => {
    const f = parseSchema(
      's.prisma',
      'model A {\n  id Int @id @default(-1)\n  n Float @default(1.5)\n  @@index([n,], where: { n: { not: null }, id: 3, }, map:)\n}\n',
    );
    const a = model(f, 'A');
    expect(a.fields[0]!.attributes[1]!.args[0]!.value).toMatchObject({ kind: 'number', text: '-1' });
    expect(a.fields[1]!.attributes[0]!.args[0]!.value).toMatchObject({ kind: 'number', text: '1.5' });
    const [fields, where, map] = a.attributes[0]!.args;
    expect(fields!.value).toMatchObject({ kind: 'array', items: [{ name: 'n' }] });
    expect(where!.value).toMatchObject({
      kind: 'object',
      entries: [
        { key: 'n', value: { kind: 'object', entries: [{ key: 'not', value: { kind: 'path', name: 'null' } }] } },
        { key: 'id', value: { kind: 'number', text: '3' } },
      ],
    });
    expect(map).toMatchObject({ name: 'map' });
    expect(map!.value).toBeUndefined();
  });

  it('ignores what follows `{` on the opening line, as Prisma does', () => {
    const f = parseSchema('s.prisma', 'model A { // comment\n  id Int @id\n}\n');
    expect(model(f, 'A').fields.map((x) => x.name)).toEqual(['id']);
  });

  it('handles CRLF line endings, a byte order mark and tabs', () => {
    const f = parseSchema('s.prisma', '\uFEFFmodel A {\r\n\tid\tInt @id\r\n\r\n\tname String\r\n}\r\n');
    const a = model(f, 'A');
    expect(a.fields.map((x) => x.name)).toEqual(['id', 'name']);
    expect(a.fields[1]!.span).toMatchObject({ line: 4, column: 2 });
    expect(a.closeSpan).toMatchObject({ line: 5, column: 1 });
  });

  it('blocks `/* */` comments anywhere, including whole commented-out models', () => {
    const f = parseSchema(
      's.prisma',
      '/* top */ model A {\n  id Int /* inline */ @id\n}\n/*\nmodel B {\n  id Int @id\n}\n*/\n',
    );
    expect(f.blocks.map((b) => b.name)).toEqual(['A']);
    expect(model(f, 'A').fields[0]!.attributes.map((x) => x.name)).toEqual(['id']);
  });

  it('counts lines inside multi-line block comments (LF, CRLF and CR)', () => {
    for (const nl of ['\n', '\r\n', '\r']) {
      const text = ['model A {', '  /* x', '  y */ id Int', '  name String', '}', ''].join(nl);
      const a = model(parseSchema('s.prisma', text), 'A');
      expect(a.fields.map((f) => [f.name, f.span.line, f.span.column])).toEqual([
        ['id', 3, 8],
        ['name', 4, 3],
      ]);
      expect(a.closeSpan.line).toBe(5);
    }
  });

  it('skips legacy type aliases and reads composite types and views', () => {
    const f = parseSchema(
      's.prisma',
      'type Alias = String @db.Text\ntype Point {\n  x Float\n}\nview V {\n  id Int @unique\n}\n',
    );
    expect(f.blocks.map((b) => `${b.kind} ${b.name}`)).toEqual(['type Point', 'view V']);
  });

  it('keeps blank-padded (legacy-blanked) lines harmless', () => {
    const blanked = 'datasource db {\n  provider = "postgresql"\n' + ' '.repeat(40) + '\n}\n';
    expect((parseSchema('s.prisma', blanked).blocks[0] as ConfigBlock).properties.map((p) => p.key)).toEqual([
      'provider',
    ]);
  });
});

describe('errors', () => {
  const cases: [string, string, RegExp][] = [
    ['unterminated string', 'model A {\n  id Int @map("x)\n}\n', /^s\.prisma:2:15: unterminated string/],
    ['unclosed block', 'model A {\n  id Int @id\n', /^s\.prisma:1:1: `model A` is not closed/],
    ['unterminated block comment', 'model A {\n  /* x\n}\n', /^s\.prisma:2:3: unterminated block comment/],
    ['garbage at top level', 'model A {\n  id Int\n}\nfoo bar\n', /^s\.prisma:4:1: expected a block/],
    [
      'stray character in a field',
      'model A {\n  id Int # x\n}\n',
      /^s\.prisma:2:10: expected the end of the line, found `#`/,
    ],
    ['missing brace', 'model A\n  id Int\n}\n', /^s\.prisma:1:8: expected `\{`/],
  ];
  it.each(cases)('%s → SchemaSyntaxError with file:line:column', (_name, text, message) => {
    let error: unknown;
    try {
      parseSchema('s.prisma', text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaSyntaxError);
    expect((error as Error).message).toMatch(message);
  });

  it('never fails with anything but a SchemaSyntaxError on truncated or spliced input', () => {
    const text = readFileSync(join(FIXTURES, 'shop.prisma'), 'utf8');
    for (let cut = 0; cut < text.length; cut += 37) {
      for (const variant of [text.slice(0, cut), text.slice(cut), text.slice(0, cut) + text.slice(cut + 11)]) {
        try {
          parseSchema('cut.prisma', variant);
        } catch (e) {
          if (!(e instanceof SchemaSyntaxError)) throw e;
        }
      }
    }
  });
});

describe('tokenize', () => {
  it('keeps newlines and comments, drops whitespace', () => {
    const tokens = tokenize('t.prisma', 'a  = "x" // c\n/// d\n@@b');
    const kinds = Array.from(tokens.kinds.subarray(0, tokens.count));
    expect(kinds).toEqual([
      TokenKind.identifier,
      TokenKind.equals,
      TokenKind.string,
      TokenKind.comment,
      TokenKind.newline,
      TokenKind.docComment,
      TokenKind.newline,
      TokenKind.atat,
      TokenKind.identifier,
      TokenKind.eof,
    ]);
    expect(tokens.texts.slice(0, tokens.count)).toEqual(['a', '=', 'x', ' c', '\n', ' d', '\n', '@@', 'b', '']);
  });
});

describe("identifiers: Prisma's rule (a Unicode letter or ASCII digit, then letters, digits, _ and -)", () => {
  const identifiers = (text: string): string[] => {
    const tokens = tokenize('t.prisma', text);
    const out: string[] = [];
    for (let i = 0; i < tokens.count; i++) if (tokens.kinds[i] === TokenKind.identifier) out.push(tokens.texts[i]!);
    return out;
  };

  it.each([['état'], ['名前'], ['\u212A'], ['\u212Aelvin'], ['aß'], ['ǅa'], ['ℌx'], ['x_ü-2'], ['𝒜b'], ['1abc']])(
    '%s is one identifier',
    (name) => {
      expect(identifiers(`${name} Int`)).toEqual([name, 'Int']);
    },
  );

  it('reads a model, fields and references with non-ASCII names', () => {
    const f = parseSchema(
      'u.prisma',
      'model état {\n  id Int @id\n  名前 String\n  \u212A Int\n  @@index([名前, \u212A])\n}\n',
    );
    const m = model(f, 'état');
    expect(m.fields.map((x) => x.name)).toEqual(['id', '名前', '\u212A']);
    const list = m.attributes[0]!.args[0]!.value as Expression & { kind: 'array' };
    expect(list.items.map((i) => (i.kind === 'path' ? i.name : '?'))).toEqual(['名前', '\u212A']);
  });

  it.each([
    ['a combining mark', 'e\u0301x', ['e', 'x']],
    ['a non-ASCII digit', 'a\u0661', ['a']],
    ['a letter number', '\u2167x', ['x']],
    ['an emoji', 'a\u{1F600}b', ['a', 'b']],
    ['a middle dot', 'x\u00B7y', ['x', 'y']],
  ])('%s is not part of an identifier (Prisma rejects it)', (_what, text, expected) => {
    expect(identifiers(text)).toEqual(expected);
  });

  it('a number followed by a letter is an identifier, as in Prisma', () => {
    expect(identifiers('1é 2 3.5')).toEqual(['1é']);
  });
});

describe("a block's opening line", () => {
  it('ignores the rest of the line after `{`, as Prisma does, even an unclosed `/*`', () => {
    const f = parseSchema(
      's.prisma',
      'model A { /* not a comment\n  id Int @id\n  name String /* a comment */\n}\nenum E {/*\n  X\n}\n',
    );
    expect(model(f, 'A').fields.map((x) => x.name)).toEqual(['id', 'name']);
    expect((f.blocks[1] as EnumBlock).values.map((v) => v.name)).toEqual(['X']);
  });

  it('keeps a `{` inside an expression an object', () => {
    const f = parseSchema('s.prisma', 'model A {\n  id Int @id\n  @@index([id], where: { id: 1 }) /* c */\n}\n');
    expect(model(f, 'A').attributes[0]!.args[1]!.value?.kind).toBe('object');
  });
});

describe('real schemas', () => {
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.prisma'));

  it.each(files)('%s parses', (name) => {
    const content = readFileSync(join(CORPUS, name), 'utf8');
    const file = parseSchema(name, content);
    const expectedBlocks = content.match(/^(model|view|enum|datasource|generator|type)\s+\w+\s*\{/gm)?.length ?? 0;
    // Blocks inside /* */ comments would be counted by the regular expression but not parsed.
    expect(file.blocks.length).toBeLessThanOrEqual(expectedBlocks);
    expect(file.blocks.length).toBeGreaterThan(0);
    for (const block of file.blocks) {
      expect(file.content.slice(block.span.offset, block.span.endOffset)).toMatch(
        /^(model|view|enum|datasource|generator|type)\b[\s\S]*\}$/,
      );
    }
  });

  it('trigger.dev: /** */ comments inside a model become field docs', () => {
    const name = 'triggerdotdev__trigger.dev.prisma';
    const file = parseSchema(name, readFileSync(join(CORPUS, name), 'utf8'));
    const errorGroup = model(file, 'ErrorGroupState');
    expect(errorGroup.fields.find((f) => f.name === 'ignoredUntil')!.docs).toEqual([
      'Error is ignored until this date',
    ]);
  });
});
