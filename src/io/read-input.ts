/**
 * THE one way idxgen reads a file the user gave it (schema, config, package.json, prisma.config,
 * migration.sql). Only a regular file, and only up to a size limit: `--schema /dev/zero` used to
 * read forever, `--config /dev/zero` aborted the process, and a FIFO blocked on open.
 *
 * The file is opened non-blocking (a FIFO opens at once instead of waiting for a writer) and judged
 * by fstat on the open descriptor (no race between checking and reading). The size is checked
 * before reading and again while reading, because some files report size 0 (/proc) or grow.
 */
import * as fs from 'node:fs';

export const MiB = 1024 * 1024;

/** The limits per kind of input. */
export const INPUT_LIMITS = {
  schema: 16 * MiB,
  config: 1 * MiB,
  migration: 64 * MiB,
} as const;

/**
 * Why a file could not be read: `code` is the errno code (ENOENT, EACCES, EISDIR, ...), or
 * ENOTREG (not a regular file) or EFBIG (over the limit), with `message` saying it in words.
 */
export class InputFileError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputFileError';
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function size(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}

/** The file's bytes; throws InputFileError when it is missing, unreadable, not a regular file or over `limit` bytes. */
export function readInputFile(file: string, limit: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new InputFileError(code, code);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError('EISDIR', 'EISDIR');
    if (!st.isFile()) throw new InputFileError('ENOTREG', `it is ${kindOf(st)}, not a regular file`);
    const tooBig = () =>
      new InputFileError(
        'EFBIG',
        st.size > limit
          ? `it is ${st.size} bytes; idxgen reads at most ${size(limit)} from such a file`
          : `it grew past ${size(limit)} while being read; idxgen reads at most that from such a file`,
      );
    if (st.size > limit) throw tooBig();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(limit + 1 - total, Math.max(st.size - total + 1, 64 * 1024), MiB));
      let n: number;
      try {
        n = fs.readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
        throw new InputFileError(code, code);
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw tooBig();
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

/** readInputFile as UTF-8 text. */
export function readInputText(file: string, limit: number): string {
  return readInputFile(file, limit).toString('utf8');
}
