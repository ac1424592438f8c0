/**
 * Prisma's identifier rule, the one place idxgen knows it.
 *
 * Prisma's grammar (psl/schema-ast/src/parser/datamodel.pest, since prisma-engines#4959) reads an
 * identifier as a Unicode letter (pest's `LETTER`, general category L) or an ASCII digit, followed
 * by letters, ASCII digits, `_` and `-`. Measured against the pinned validator (7.10): of every
 * code point above U+007F, exactly those in `\p{L}` are accepted inside a field name (`état`,
 * `名前`, `K` U+212A, `ǅ`), and nothing else (no combining marks, no non-ASCII digits such as `١`,
 * no letter numbers such as `Ⅷ`, no emoji). The validator then rejects some identifiers the
 * grammar reads (a field name starting with a digit or holding `-`), with its own message.
 */
import { isAscii } from './names';

/** Source of one identifier, for building larger regular expressions (needs the `u` flag). */
export const PRISMA_IDENTIFIER_SOURCE = '[\\p{L}0-9][\\p{L}0-9_-]*';

/** The whole text is one identifier as Prisma's grammar reads it. */
export function isPrismaIdentifier(text: string): boolean {
  // ASCII first: the same answer for ASCII text (its letters are the ASCII part of `\p{L}`). A
  // `\p{L}` expression costs ~0.7 ms to build and compile before it answers; a run asks this of
  // every name it prints, almost always ASCII.
  if (ASCII_IDENTIFIER.test(text)) return true;
  if (isAscii(text)) return false;
  identifier ??= new RegExp(`^${PRISMA_IDENTIFIER_SOURCE}$`, 'u');
  return identifier.test(text);
}

const ASCII_IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
let identifier: RegExp | undefined;
