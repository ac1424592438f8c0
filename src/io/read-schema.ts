import { isUtf8 } from 'node:buffer';
import * as path from 'node:path';
import { UserError } from '../errors';
import { INPUT_LIMITS, InputFileError, readInputFile } from './read-input';
import type { SchemaSource } from '../schema/source';

/** Reads schema files as UTF-8 text; a missing, unreadable, empty or binary file is a user error. */
export function readSchemaFiles(files: string[], cwd: string): SchemaSource[] {
  const sources = files.map((file): SchemaSource => {
    const text = readText(file, cwd);
    return text.startsWith('\uFEFF')
      ? { path: file, content: text.slice(1), bom: true }
      : { path: file, content: text };
  });
  if (sources.every((s) => s.content.trim() === '')) {
    throw new UserError([{ file: files[0], message: 'schema file is empty' }]);
  }
  return sources;
}

function readText(file: string, cwd: string): string {
  let bytes: Buffer;
  try {
    bytes = readInputFile(path.resolve(cwd, file), INPUT_LIMITS.schema);
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    const code = error.code;
    const why =
      code === 'ENOENT'
        ? 'schema file not found'
        : code === 'EISDIR'
          ? 'is a folder, not a schema file'
          : code === 'ENOTREG' || code === 'EFBIG'
            ? `cannot read schema file: ${error.message}`
            : `cannot read schema file (${code})`;
    throw new UserError([{ file, message: why }]);
  }
  // node:buffer's isUtf8 validates without decoding (a fatal TextDecoder built the whole string to
  // throw it away: ~10x slower on civitai's 290 KB).
  if (bytes.includes(0) || !isUtf8(bytes)) {
    throw new UserError([
      { file, message: 'is not a text file (binary content or invalid UTF-8); a Prisma schema is UTF-8 text' },
    ]);
  }
  return bytes.toString('utf8');
}
