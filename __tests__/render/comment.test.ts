import {
  commentSqlIdent,
  commentSqlLiteral,
  commentSqlQualified,
  commentText,
  isCommentSafe,
  wrapComment,
} from '../../src/render/comment';
import { HOSTILE, HOSTILE_INDEX } from '../support/render-fixtures';

describe('commentText', () => {
  test('";", line breaks and controls become <U+XXXX> (no word substitute such as <semicolon>)', () => {
    expect(commentText(HOSTILE)).toBe('we"ird<U+003B> DROP TABLE x<U+003B> --');
    expect(commentText('a\nb\r\nc\td\u0000e\u007f\u0085')).toBe(
      'a<U+000A>b<U+000D><U+000A>c<U+0009>d<U+0000>e<U+007F><U+0085>',
    );
  });

  test('Unicode line separators, bidi overrides and zero-width characters are shown, not obeyed', () => {
    expect(commentText('a\u2028b\u2029c\u202Ed\u2066e\u200Bf\uFEFF')).toBe(
      'a<U+2028>b<U+2029>c<U+202E>d<U+2066>e<U+200B>f<U+FEFF>',
    );
  });

  test('block comment delimiters are broken up', () => {
    expect(commentText('a */ b /* c /*/')).toBe('a <U+002A>/ b /<U+002A> c /<U+002A>/');
  });

  test('ordinary text, quotes, $ and non-ASCII letters pass unchanged', () => {
    const text = `Index "Post"."authorId" for WHERE x = $1 -- café 😀 'q'`;
    expect(commentText(text)).toBe(text);
    expect(isCommentSafe(text)).toBe(true);
  });
});

describe('wrapComment', () => {
  test('wraps at the width, keeps long words whole, drops empty lines', () => {
    expect(wrapComment('aaa bbb ccc ddd', 7)).toEqual(['aaa bbb', 'ccc ddd']);
    expect(wrapComment('a verylongword b', 5)).toEqual(['a', 'verylongword', 'b']);
    expect(wrapComment('   ')).toEqual([]);
  });

  test('a line break never survives: it is escaped before wrapping', () => {
    expect(wrapComment('a\nb; c')).toEqual(['a<U+000A>b<U+003B> c']);
  });
});

describe('SQL shown in comments', () => {
  test('safe names are quoted as usual', () => {
    expect(commentSqlIdent('Post')).toBe('"Post"');
    expect(commentSqlIdent('a"b')).toBe('"a""b"');
    expect(commentSqlQualified('i', 'app')).toBe('"app"."i"');
    expect(commentSqlQualified('i')).toBe('"i"');
    expect(commentSqlLiteral("it's")).toBe("'it''s'");
  });

  test('unsafe names use U& escapes: exact SQL with no ";", line break or comment delimiter in the text', () => {
    expect(commentSqlIdent(HOSTILE)).toBe('U&"we""ird\\003B DROP TABLE x\\003B --"');
    expect(commentSqlIdent(HOSTILE_INDEX)).toBe('U&"x\\000Ay\\003B \\002A/ DROP TABLE x_idx"');
    expect(commentSqlIdent('back\\slash;')).toBe('U&"back\\\\slash\\003B"');
    expect(commentSqlLiteral("it's;\n")).toBe("U&'it''s\\003B\\000A'");
    expect(commentSqlQualified('i;', 'app')).toBe('"app".U&"i\\003B"');
    for (const s of [commentSqlIdent(HOSTILE), commentSqlIdent(HOSTILE_INDEX), commentSqlLiteral(HOSTILE_INDEX)]) {
      expect(isCommentSafe(s)).toBe(true);
    }
  });

  test('empty names and NUL are refused, as by quoteIdent', () => {
    expect(() => commentSqlIdent('')).toThrow(/empty/);
    expect(() => commentSqlIdent('a\u0000')).toThrow(/NUL/);
  });
});
