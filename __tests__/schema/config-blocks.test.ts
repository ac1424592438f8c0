/**
 * Where the datasource and generator blocks are, found without scanning every position of the text
 * (src/schema/source.ts keywordLineStarts, legacy.ts configBlocks, load.ts datasourceProvider):
 * the same answers as the multiline regular expressions they replace, on random texts built from
 * the pieces that matter (keywords, ASCII and non-ASCII names, braces, keys, every line break).
 */
import { PRISMA_IDENTIFIER_SOURCE } from '../../src/schema/identifier';
import { configBlocks } from '../../src/schema/legacy';
import { datasourceProvider } from '../../src/schema/load';
import { keywordLineStarts } from '../../src/schema/source';

const BLOCKS = new RegExp(
  `^[ \\t]*(datasource|generator)[ \\t]+${PRISMA_IDENTIFIER_SOURCE}[ \\t]*\\{([^}]*)\\}`,
  'gmu',
);
const DATASOURCE = new RegExp(
  `^[ \\t]*datasource[ \\t]+${PRISMA_IDENTIFIER_SOURCE}[ \\t]*\\{([^}]*?)(?<![\\p{L}0-9_-])provider[ \\t]*=[ \\t]*"([^"]*)"`,
  'mu',
);

const pick = <T>(next: () => number, options: readonly T[]): T => options[next() % options.length]!;

/** Block headers, keys and bodies, right and nearly right, joined by every kind of line break. */
function randomText(next: () => number): string {
  let text = '';
  const lines = 1 + (next() % 6);
  for (let k = 0; k < lines; k++) {
    text += pick(next, ['', ' ', '\t', ' \t', 'x ', '\u00a0']);
    text += pick(next, ['datasource', 'generator', 'datasource', 'mydatasource', 'model']);
    text += pick(next, [' ', '\t', '', '  ']);
    text += pick(next, ['db', 'dé', '名前', 'é1', 'x-y', '1a', '', 'db{']);
    text += pick(next, [' {', '{', ' ', '']);
    const keys = 1 + (next() % 3);
    for (let key = 0; key < keys; key++) {
      text += pick(next, ['\n  ', '\n  ', '\r\n', ' ', '\u2028', '']);
      text += pick(next, ['', '', '', 'é', '·', 'x', '-', ' ']);
      text += pick(next, ['provider', 'url', 'provider ', 'providers']);
      text += pick(next, [' = ', '=', ' =']);
      text += pick(next, ['"postgresql"', '"mysql"', '"provider"', '""', 'env("X")', '"']);
    }
    text += pick(next, ['\n}', '}', '', '\n']);
    text += pick(next, ['\n', '\r\n', '\r', '\u2028', '\u2029', '\n\n']);
  }
  return text;
}

describe('datasource and generator blocks without a multiline scan', () => {
  let seed = 7;
  // A 32-bit LCG (Math.imul: exact), read from its high bits (its low bits repeat within a few steps).
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;

  it('keywordLineStarts: where a line starts with the keyword (after spaces and tabs)', () => {
    expect(
      keywordLineStarts('datasource a {}\n  generator b {}\nx datasource\n\tdatasource', ['datasource', 'generator']),
    ).toEqual([0, 16, 46]);
    const line = /^[ \t]*(?:datasource|generator)/gm;
    for (let n = 0; n < 20_000; n++) {
      const text = randomText(next);
      expect([text, keywordLineStarts(text, ['datasource', 'generator'])]).toEqual([
        text,
        [...text.matchAll(line)].map((m) => m.index),
      ]);
    }
  });

  it('configBlocks: the blocks the multiline expression finds, with the same groups', () => {
    for (let n = 0; n < 20_000; n++) {
      const text = randomText(next);
      const found = configBlocks(text).map((m) => [m.index, m[0], m[1], m[2]]);
      expect([text, found]).toEqual([text, [...text.matchAll(BLOCKS)].map((m) => [m.index, m[0], m[1], m[2]])]);
    }
  });

  it('datasourceProvider: the first datasource provider the multiline expression finds', () => {
    for (let n = 0; n < 20_000; n++) {
      const text = randomText(next);
      const m = datasourceProvider(text);
      const expected = DATASOURCE.exec(text);
      expect([text, m && [m.index, m[0], m[2]]]).toEqual([
        text,
        expected && [expected.index, expected[0], expected[2]],
      ]);
    }
  });
});
