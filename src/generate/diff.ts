/**
 * A unified diff of a schema edit, for `generate --dry-run` and `--format markdown`. It is made
 * from the edit's own hunks (the exact lines idxgen removed and added), never by comparing two
 * texts: its cost is the size of the file plus the changed lines, whatever the number of edits.
 * (A general line diff over a 5,000-model schema took minutes and gigabytes: issue 9.) Pure.
 */
import type { LineHunk, SchemaFileEdit } from './schema-edit';

/** Lines as the schema edit counts them: a lone CR ends a line too (see lfOnly in schema-edit.ts). */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\n|\r(?!\n)/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Lines added and removed, not counting blank lines. */
export function lineCounts(edit: Pick<SchemaFileEdit, 'hunks'>): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const h of edit.hunks) {
    for (const l of h.inserted) if (l.trim() !== '') added++;
    for (const l of h.deleted) if (l.trim() !== '') removed++;
  }
  return { added, removed };
}

/**
 * `--- a/<path>` / `+++ b/<path>` and `@@ -l,s +l,s @@` hunks with `context` lines around each
 * change (hunks closer than 2 × context lines are joined, as diff does). Empty when nothing changed.
 */
export function unifiedDiff(path: string, edit: Pick<SchemaFileEdit, 'before' | 'hunks'>, context = 3): string {
  const changes = edit.hunks.filter((h) => h.deleted.length > 0 || h.inserted.length > 0);
  if (changes.length === 0) return '';
  const a = splitLines(edit.before);
  const out = [`--- a/${path}`, `+++ b/${path}`];
  // Group changes whose context would touch.
  const groups: LineHunk[][] = [];
  for (const h of changes) {
    const last = groups[groups.length - 1];
    const prev = last?.[last.length - 1];
    if (prev && h.line - (prev.line + prev.deleted.length) <= 2 * context) last!.push(h);
    else groups.push([h]);
  }
  let shift = 0; // lines added minus removed before the current group
  for (const group of groups) {
    const first = group[0]!;
    const last = group[group.length - 1]!;
    const from = Math.max(0, first.line - context);
    const to = Math.min(a.length, last.line + last.deleted.length + context);
    const body: string[] = [];
    let aCount = 0;
    let bCount = 0;
    let at = from;
    for (const h of group) {
      for (; at < h.line; at++, aCount++, bCount++) body.push(` ${a[at]}`);
      for (const l of h.deleted) body.push(`-${l}`);
      for (const l of h.inserted) body.push(`+${l}`);
      aCount += h.deleted.length;
      bCount += h.inserted.length;
      at = h.line + h.deleted.length;
    }
    for (; at < to; at++, aCount++, bCount++) body.push(` ${a[at]}`);
    const groupShift = group.reduce((s, h) => s + h.inserted.length - h.deleted.length, 0);
    const aStart = aCount === 0 ? from : from + 1;
    const bStart = bCount === 0 ? from + shift : from + shift + 1;
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`, ...body);
    shift += groupShift;
  }
  return `${out.join('\n')}\n`;
}
