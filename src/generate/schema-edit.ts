/**
 * Writes declarations into the schema the way a person would: insert the `@@index(...)` line
 * before the model's closing brace, remove a redundant index's line, add a preview feature to the
 * generator.
 *
 * Only those lines change: no formatter runs over the file, so every other line (comments, blank
 * lines, attribute order, alignment, even in the edited models) stays byte for byte as it was.
 * Prisma's formatter re-aligned 63 unrelated lines of one real schema when it did (issue 11).
 * Pure: text in, text out, linear in the size of the files.
 */
import type { Span, Table } from '../model/types';
import { PRISMA_IDENTIFIER_SOURCE } from '../schema/identifier';
import type { SchemaSource } from '../schema/source';

export interface AddAttribute {
  table: Table;
  attribute: string;
}

export interface RemoveAttribute {
  span: Span;
  attribute: string;
}

export interface SchemaEditInput {
  /** The files exactly as the user wrote them. */
  sources: readonly SchemaSource[];
  add: readonly AddAttribute[];
  remove: readonly RemoveAttribute[];
  /** Preview features to add to the generator (already known to be missing). */
  previewFeatures: readonly string[];
  /** Where the model says the generator's previewFeatures (or the generator block) is. */
  generatorSpan?: Span;
}

/** Lines `line` .. `line + deleted.length - 1` (0-based, in `before`) became `inserted`. */
export interface LineHunk {
  line: number;
  deleted: string[];
  inserted: string[];
}

export interface SchemaFileEdit {
  path: string;
  /** The text (without BOM) before and after the edits. */
  before: string;
  after: string;
  /** The file starts with a UTF-8 BOM: write `bom` + after, and expect `bom` + before on disk (see onDisk). */
  bom: boolean;
  /** What changed, in order: the exact lines idxgen removed and added (no diff algorithm involved). */
  hunks: LineHunk[];
}

interface TextEdit {
  offset: number;
  endOffset: number;
  text: string;
}

/** A block: `model X {` ... `}` (whole lines). */
interface Block {
  keyword: string;
  name: string;
  start: number;
  end: number;
}

const BLOCK_HEADER = new RegExp(
  `^[ \\t]*(model|view|generator|datasource|enum|type)[ \\t]+(${PRISMA_IDENTIFIER_SOURCE})[ \\t]*\\{`,
  'gmu',
);

/** Every top-level block of a file with its whole-line extent. */
export function findBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  BLOCK_HEADER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BLOCK_HEADER.exec(text))) {
    const start = m.index;
    let end = text.length;
    let lineStart = text.indexOf('\n', start + m[0].length);
    // The header line may itself close the block (`model A { id Int @id }`).
    if (text.slice(start + m[0].length, lineStart < 0 ? text.length : lineStart).includes('}')) {
      end = lineStart < 0 ? text.length : lineStart + 1;
    } else {
      while (lineStart >= 0) {
        const next = text.indexOf('\n', lineStart + 1);
        const line = text.slice(lineStart + 1, next < 0 ? text.length : next);
        if (line.trimStart().startsWith('}')) {
          end = next < 0 ? text.length : next + 1;
          break;
        }
        lineStart = next;
      }
    }
    blocks.push({ keyword: m[1]!, name: m[2]!, start, end });
    BLOCK_HEADER.lastIndex = end;
  }
  return blocks;
}

/** The block holding `offset` (blocks are sorted and disjoint: a binary search). */
function blockAt(blocks: Block[], offset: number): Block | undefined {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = blocks[mid]!;
    if (offset < b.start) hi = mid - 1;
    else if (offset >= b.end) lo = mid + 1;
    else return b;
  }
  return undefined;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEndOf(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl;
}

/** Start of the block's closing line (the line holding `}`). */
function closeLineStart(text: string, block: Block): number {
  return text[block.end - 1] === '\n' ? lineStartOf(text, block.end - 1) : lineStartOf(text, block.end);
}

/** Lines strictly between the block's header line and its closing line. */
function bodyLines(text: string, block: Block): string[] {
  const headerEnd = text.indexOf('\n', block.start);
  const close = closeLineStart(text, block);
  if (headerEnd < 0 || headerEnd + 1 > close) return [];
  return text.slice(headerEnd + 1, close).split('\n');
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** The text edit that inserts `attributes` before the model's closing brace. */
function insertion(text: string, block: Block, closeOffset: number, attributes: string[]): TextEdit {
  const body = bodyLines(text, block);
  const attributeLines = body.filter((l) => l.trimStart().startsWith('@@'));
  const fieldLines = body.filter((l) => /^[ \t]*[\p{L}0-9]/u.test(l));
  const indent =
    attributeLines.length > 0 ? indentOf(attributeLines[0]!) : fieldLines.length > 0 ? indentOf(fieldLines[0]!) : '  ';
  const closeLineStart = lineStartOf(text, closeOffset);
  const lines = attributes.map((a) => `${indent}${a}\n`).join('');
  if (text.slice(closeLineStart, closeOffset).trim() !== '') {
    // `... }` on one line: open a line before the brace.
    return { offset: closeOffset, endOffset: closeOffset, text: `\n${lines}` };
  }
  // A blank line separates fields from the block attributes (Prisma's own style): add one when
  // this starts the attributes block and the line above is not already blank.
  const above = closeLineStart > 0 ? text.slice(lineStartOf(text, closeLineStart - 1), closeLineStart - 1) : '';
  const blank = attributeLines.length === 0 && body.length > 0 && above.trim() !== '' ? '\n' : '';
  return { offset: closeLineStart, endOffset: closeLineStart, text: blank + lines };
}

/** The text edit that removes an attribute; the whole line when nothing else is on it. */
function removal(text: string, span: Span, attribute: string): TextEdit {
  const found = text.slice(span.offset, span.endOffset);
  if (!found.startsWith('@')) {
    throw new Error(
      `schema edit: expected an attribute at ${span.file}:${span.line}:${span.column}, found ${JSON.stringify(found.slice(0, 40))} (for ${attribute})`,
    );
  }
  const start = lineStartOf(text, span.offset);
  const end = lineEndOf(text, span.endOffset);
  const before = text.slice(start, span.offset);
  const after = text.slice(span.endOffset, end).trim();
  const trailingComment = after.startsWith('//') && !after.startsWith('///');
  if (before.trim() === '' && (after === '' || trailingComment)) {
    let from = start;
    const to = Math.min(text.length, end + 1);
    // Removing the last block attribute: take the blank line that separated it from the fields.
    const nextLine = text.slice(to, lineEndOf(text, to));
    if (nextLine.trim().startsWith('}') && from > 0) {
      const prevStart = lineStartOf(text, from - 1);
      const prevLine = text.slice(prevStart, from - 1);
      const prevPrevLine = prevStart > 0 ? text.slice(lineStartOf(text, prevStart - 1), prevStart - 1) : '';
      if (prevLine.trim() === '' && !prevPrevLine.trim().startsWith('@@')) from = prevStart;
    }
    return { offset: from, endOffset: to, text: '' };
  }
  // Something else shares the line (a field with its own attributes): cut the attribute only.
  let from = span.offset;
  while (from > start && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  return { offset: from, endOffset: span.endOffset, text: '' };
}

/** Adds preview features to the generator's `previewFeatures = [...]`, or adds that line. */
function previewEdit(text: string, generator: Block, features: readonly string[]): TextEdit | undefined {
  const blockText = text.slice(generator.start, generator.end);
  const m = /^([ \t]*)previewFeatures[ \t]*=[ \t]*\[/m.exec(blockText);
  const quoted = features.map((f) => `"${f}"`);
  if (m) {
    const open = generator.start + m.index + m[0].length;
    const close = text.indexOf(']', open);
    if (close < 0) throw new Error('schema edit: previewFeatures has no closing bracket');
    const inside = text.slice(open, close);
    const existing = [...inside.matchAll(/"([^"]*)"/g)].map((x) => x[1]!);
    const missing = features.filter((f) => !existing.includes(f));
    if (missing.length === 0) return undefined;
    const list = missing.map((f) => `"${f}"`).join(', ');
    if (inside.trim() === '') return { offset: open, endOffset: close, text: list };
    const lastQuote = open + inside.lastIndexOf('"') + 1;
    return { offset: lastQuote, endOffset: lastQuote, text: `, ${list}` };
  }
  const body = bodyLines(text, generator).filter((l) => l.trim() !== '');
  const indent = body.length > 0 ? indentOf(body[0]!) : '  ';
  const closeStart = closeLineStart(text, generator);
  const closeBrace = text.lastIndexOf('}', generator.end);
  if (text.slice(closeStart, closeBrace).trim() !== '') {
    return { offset: closeBrace, endOffset: closeBrace, text: `\n${indent}previewFeatures = [${quoted.join(', ')}]\n` };
  }
  return { offset: closeStart, endOffset: closeStart, text: `${indent}previewFeatures = [${quoted.join(', ')}]\n` };
}

/** `text` with each lone CR turned into a LF (same length, same offsets). */
function lfOnly(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/**
 * The line ending to write inserted lines with: CR when the file ends its lines with lone CRs
 * only, else LF (as before: a CRLF file gets LF lines, which Prisma reads the same).
 */
function insertedLineEnding(original: string): string {
  return /\r(?!\n)/.test(original) && !/(?:^|[^\r])\n/.test(original) ? '\r' : '\n';
}

/** The text of a whole file as it is on disk: the BOM back in front when the file had one. */
export function onDisk(edit: SchemaFileEdit, which: 'before' | 'after'): string {
  return (edit.bom ? '\uFEFF' : '') + edit[which];
}

/**
 * Applies non-overlapping edits in one pass and describes the result as whole-line hunks: each
 * edit is widened to the lines it touches, and edits that touch the same or adjacent-by-overlap
 * lines form one hunk. Linear in the text plus the edits.
 */
function applyTextEdits(
  text: string,
  edits: TextEdit[],
  original: string = text,
): { after: string; hunks: LineHunk[] } {
  // `text` has LF line ends only (lfOnly), `original` is the file as written, of the same length:
  // unchanged text is copied from `original`, inserted text gets the file's own line ending.
  const eol = insertedLineEnding(original);
  const own = (inserted: string) => (eol === '\n' ? inserted : inserted.replace(/\n/g, eol));
  const sorted = [...edits].sort((a, b) => a.offset - b.offset || a.endOffset - b.endOffset);
  const atLineStart = (offset: number) => offset === 0 || text[offset - 1] === '\n';
  const groups: { start: number; end: number; edits: TextEdit[] }[] = [];
  let previousEnd = 0;
  for (const e of sorted) {
    if (e.offset < previousEnd) throw new Error('schema edit: overlapping edits');
    previousEnd = e.endOffset;
    const start = lineStartOf(text, e.offset);
    const end = atLineStart(e.endOffset) ? e.endOffset : Math.min(text.length, lineEndOf(text, e.endOffset) + 1);
    const last = groups[groups.length - 1];
    if (last && start < last.end) {
      last.end = Math.max(last.end, end);
      last.edits.push(e);
    } else groups.push({ start, end, edits: [e] });
  }
  const pieces: string[] = [];
  const hunks: LineHunk[] = [];
  let cursor = 0;
  let line = 0; // 0-based line number of `cursor` in `text`
  const countLines = (from: number, to: number) => {
    let n = 0;
    for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
    return n;
  };
  for (const g of groups) {
    pieces.push(original.slice(cursor, g.start));
    line += countLines(cursor, g.start);
    let replaced = ''; // LF-only, for the hunks
    let written = ''; // as the file will hold it
    let at = g.start;
    for (const e of g.edits) {
      replaced += text.slice(at, e.offset) + e.text;
      written += original.slice(at, e.offset) + own(e.text);
      at = e.endOffset;
    }
    replaced += text.slice(at, g.end);
    written += original.slice(at, g.end);
    pieces.push(written);
    hunks.push({ line, deleted: linesOf(text.slice(g.start, g.end)), inserted: linesOf(replaced) });
    line += countLines(g.start, g.end);
    cursor = g.end;
  }
  pieces.push(original.slice(cursor));
  return { after: pieces.join(''), hunks };
}

/** The lines of a whole-line piece of text (a final line without newline counts). */
function linesOf(piece: string): string[] {
  if (piece === '') return [];
  const lines = piece.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Where the generator to edit lives: the model's span first, else the first generator block. */
function findGenerator(
  sources: readonly SchemaSource[],
  span: Span | undefined,
): { path: string; block: Block } | undefined {
  if (span) {
    const source = sources.find((s) => s.path === span.file);
    const block = source && blockAt(findBlocks(source.content), span.offset);
    if (source && block && block.keyword === 'generator') return { path: source.path, block };
  }
  for (const source of sources) {
    const block = findBlocks(source.content).find((b) => b.keyword === 'generator');
    if (block) return { path: source.path, block };
  }
  return undefined;
}

/** Is there a generator block to put preview features in? */
export function hasGenerator(sources: readonly SchemaSource[]): boolean {
  return findGenerator(sources, undefined) !== undefined;
}

/**
 * Applies the declaration edits and returns the files that changed (before/after, and the changed
 * lines as hunks). Nothing is re-formatted: every line idxgen did not add, remove or (for a
 * previewFeatures list, or a model closed on its last field's line) extend stays byte for byte as
 * the user wrote it. The inserted lines are written the way Prisma's formatter writes them, in the
 * block's own indentation. Linear in the size of the files. Throws (a bug, not user error) when a
 * model or span does not match the text.
 */
export function editSchema(input: SchemaEditInput): SchemaFileEdit[] {
  const edits = new Map<string, TextEdit[]>();
  const push = (path: string, edit: TextEdit) => {
    if (!edits.has(path)) edits.set(path, []);
    edits.get(path)!.push(edit);
  };
  // Edits are found on a copy where every lone CR (old Mac line endings) is a LF: the same length,
  // so every offset holds for the file as written, which applyTextEdits then copies from.
  const byPath = new Map(input.sources.map((s) => [s.path, lfOnly(s.content)]));
  const blocksByPath = new Map<string, Block[]>();
  const blocksOf = (path: string, text: string) => {
    let blocks = blocksByPath.get(path);
    if (!blocks) blocksByPath.set(path, (blocks = findBlocks(text)));
    return blocks;
  };

  // Inserts, grouped per model so several lines land together and in order.
  const perModel = new Map<Table, string[]>();
  for (const { table, attribute } of input.add) {
    if (!perModel.has(table)) perModel.set(table, []);
    perModel.get(table)!.push(attribute);
  }
  for (const [table, attributes] of perModel) {
    const text = byPath.get(table.closeSpan.file);
    if (text === undefined)
      throw new Error(`schema edit: model ${table.model} is in ${table.closeSpan.file}, which is not loaded`);
    const close = table.closeSpan.offset;
    const block = blockAt(blocksOf(table.closeSpan.file, text), close);
    if (text[close] !== '}' || !block || block.name !== table.model) {
      throw new Error(
        `schema edit: the closing brace of model ${table.model} is not at ${table.closeSpan.file}:${table.closeSpan.line}:${table.closeSpan.column}`,
      );
    }
    push(table.closeSpan.file, insertion(text, block, close, attributes));
  }
  for (const { span, attribute } of input.remove) {
    const text = byPath.get(span.file);
    if (text === undefined) throw new Error(`schema edit: ${span.file} is not loaded`);
    if (!blockAt(blocksOf(span.file, text), span.offset))
      throw new Error(`schema edit: ${span.file}:${span.line} is not inside a model`);
    push(span.file, removal(text, span, attribute));
  }
  if (input.previewFeatures.length > 0) {
    const generator = findGenerator(input.sources, input.generatorSpan);
    if (!generator) throw new Error('schema edit: no generator block to add preview features to');
    const edit = previewEdit(byPath.get(generator.path)!, generator.block, input.previewFeatures);
    if (edit) push(generator.path, edit);
  }

  const out: SchemaFileEdit[] = [];
  for (const source of input.sources) {
    const fileEdits = edits.get(source.path);
    if (!fileEdits) continue;
    const { after, hunks } = applyTextEdits(byPath.get(source.path)!, fileEdits, source.content);
    if (after !== source.content)
      out.push({ path: source.path, before: source.content, after, bom: source.bom === true, hunks });
  }
  return out;
}
