/**
 * Issue 11 item 7: on every corpus schema, `generate` changes only the lines it adds (its
 * `@@index`/`@@unique` declarations, a blank line before a model's first block attribute, the
 * generator's previewFeatures) and the redundant declarations it removes. Judged by `git diff`,
 * not by idxgen's own hunks; the inserted lines are what Prisma's formatter would write; the
 * edited schema still validates with Prisma.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSchema } from '../../src/schema/load';
import { CORPUS } from '../support/rules';
import { gitDiff } from '../support/git-diff';
import { project } from '../support/generate';

const files = fs
  .readdirSync(CORPUS)
  .filter((f) => f.endsWith('.prisma'))
  .sort();

interface PrismaFormatter {
  format(schema: string, params: string): string;
}
const formatter = require('@prisma/prisma-schema-wasm') as PrismaFormatter;
const PARAMS = JSON.stringify({
  textDocument: { uri: 'file:/schema.prisma' },
  options: { tabSize: 2, insertSpaces: true },
});

/** Prisma's formatter over the whole file; its lines, trimmed. */
function formattedLines(text: string): Set<string> {
  const [[, out]] = JSON.parse(formatter.format(JSON.stringify([['schema.prisma', text]]), PARAMS)) as [
    string,
    string,
  ][];
  return new Set(out!.split('\n').map((l) => l.trim()));
}

const DECLARATION = /^[ \t]*@@(index|unique)\(.*\)$/;
const PREVIEW = /^[ \t]*previewFeatures[ \t]*=/;
const FIELD_UNIQUE = /[ \t]+@unique(\((?:[^()]|\([^()]*\))*\))?/;
const squash = (line: string) => line.trim().replace(/\s+/g, ' ');

test('finds the corpus', () => {
  expect(files.length).toBeGreaterThanOrEqual(9);
});

describe.each(files)('%s', (file) => {
  const before = fs.readFileSync(path.join(CORPUS, file), 'utf8');
  it.each([
    ['default', []],
    ['--include-info --preview-features', ['--include-info', '--preview-features']],
  ])('generate %s: git diff shows only idxgen lines', async (_label, flags) => {
    const p = project({ 'prisma/schema.prisma': before });
    expect(await p.cli('--timestamp', '20260101000000', ...(flags as string[]))).toBe(0);
    const after = p.read('prisma/schema.prisma');
    const summary = /schema \((\d+) declarations? added, (\d+) removed(, preview [^)]* enabled)?\)/.exec(p.stdout());
    const diff = gitDiff(before, after);
    if (!summary) {
      expect(diff.text).toBe('');
      return;
    }
    const [, added, removed, preview] = summary;
    // redundant-index drops a field's `@unique` that repeats its `@id`: that line changes only by the attribute.
    const edited = diff.deleted.filter(
      (l) => FIELD_UNIQUE.test(l) && diff.inserted.some((i) => squash(i) === squash(l.replace(FIELD_UNIQUE, ''))),
    );
    const inserted = diff.inserted.filter(
      (i) => !edited.some((l) => squash(i) === squash(l.replace(FIELD_UNIQUE, ''))),
    );
    const deleted = diff.deleted.filter((l) => !edited.includes(l));
    // Every added line is a declaration, a blank separator, or the previewFeatures line.
    expect(inserted.filter((l) => l.trim() !== '' && !DECLARATION.test(l) && !PREVIEW.test(l))).toEqual([]);
    expect(diff.inserted.filter((l) => DECLARATION.test(l))).toHaveLength(Number(added));
    expect(diff.inserted.filter((l) => PREVIEW.test(l))).toHaveLength(preview ? 1 : 0);
    // Every removed line is a redundant declaration idxgen dropped, its blank separator, or the
    // old previewFeatures line it extended.
    expect(deleted.filter((l) => l.trim() !== '' && !DECLARATION.test(l) && !PREVIEW.test(l))).toEqual([]);
    expect(deleted.filter((l) => DECLARATION.test(l)).length + edited.length).toBe(Number(removed));
    // The lines idxgen wrote are already in Prisma's format; the rest was left alone.
    const canonical = formattedLines(after);
    expect(diff.inserted.filter((l) => DECLARATION.test(l) && !canonical.has(l.trim()))).toEqual([]);
    // Prisma still reads it (generate also checks this before writing).
    expect(() => loadSchema([{ path: 'schema.prisma', content: after }])).not.toThrow();
  });
});
