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
