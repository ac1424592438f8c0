/** One schema file as read from disk; `content` is what the user wrote, untouched. */
export interface SchemaSource {
  path: string;
  /** The text without a leading UTF-8 byte order mark. */
  content: string;
  /** The file on disk starts with a UTF-8 BOM (dropped from `content`, kept when idxgen writes the file back). */
  bom?: boolean;
}

/** 1-based line and column of a 0-based character offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Character offset of a UTF-8 byte offset (Prisma's lint reports bytes). */
export function charOffsetOfByte(text: string, byteOffset: number): number {
  return Buffer.from(text, 'utf8').subarray(0, byteOffset).toString('utf8').length;
}

/**
 * The offsets at which a line starts whose first word (after spaces and tabs) is one of
 * `keywords`, ascending: where `datasource` and `generator` blocks may start. The same places a
 * multiline `^[ \t]*(keyword)` finds (JavaScript's `^` follows \n, \r, U+2028 and U+2029), found
 * with `indexOf` instead of trying every position of a 300 kB file (~1 ms per expression on civitai).
 */
export function keywordLineStarts(text: string, keywords: readonly string[]): number[] {
  const starts: number[] = [];
  for (const keyword of keywords) {
    for (let at = text.indexOf(keyword); at >= 0; at = text.indexOf(keyword, at + 1)) {
      let start = at;
      while (start > 0 && (text.charCodeAt(start - 1) === 32 || text.charCodeAt(start - 1) === 9)) start--;
      if (start === 0 || isLineTerminator(text.charCodeAt(start - 1))) starts.push(start);
    }
  }
  return starts.sort((a, b) => a - b);
}

function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/** The sticky `pattern` matched at `offset` of `text`, or null. */
export function execAt(pattern: RegExp, text: string, offset: number): RegExpExecArray | null {
  pattern.lastIndex = offset;
  return pattern.exec(text);
}
