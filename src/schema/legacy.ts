import type { LoadWarning } from '../model/types';
import { PRISMA_IDENTIFIER_SOURCE } from './identifier';
import { execAt, keywordLineStarts, lineColumnAt, type SchemaSource } from './source';

/**
 * Schemas written for Prisma 5/6 are real users' schemas. Prisma 7's validator rejects connection
 * URLs in the datasource and preview features it has removed; we blank those in memory (same
 * length, newlines kept, so every line and column still points at the user's file) and warn.
 */

const LEGACY_DATASOURCE_KEYS = /^[ \t]*(url|directUrl|shadowDatabaseUrl)[ \t]*=.*$/gm;
const PREVIEW = /previewFeatures[ \t]*=[ \t]*\[([^\]]*)\]/g;
const REFERENTIAL_INTEGRITY = /^([ \t]*)referentialIntegrity(?=[ \t]*=)/gm;

export interface SanitizedSources {
  sources: SchemaSource[];
  warnings: LoadWarning[];
}

export function sanitizeLegacySyntax(
  sources: SchemaSource[],
  knownPreviewFeatures: readonly string[],
): SanitizedSources {
  const warnings: LoadWarning[] = [];
  const known = new Set(knownPreviewFeatures.map((f) => f.toLowerCase()));
  const out = sources.map((source) => {
    const text = source.content;
    // Only a datasource or generator block can change: the rest of the text is copied only when one
    // does (a replace() copies it every time: 580 kB of fresh memory on civitai, ~150 page faults).
    let sanitized = '';
    let copied = 0;
    for (const match of configBlocks(text)) {
      const block = match[0];
      const replacement = sanitizeBlock(block, match[1]!, match.index!, source, known, warnings);
      if (replacement === block) continue;
      sanitized += text.slice(copied, match.index) + replacement;
      copied = match.index! + block.length;
    }
    return { path: source.path, content: copied === 0 ? text : sanitized + text.slice(copied) };
  });
  return { sources: out, warnings };
}

/**
 * A datasource or generator block from the start of its line: with an ASCII name, and with any
 * identifier (`\p{L}`: built only when an ASCII name does not match there; identifier.ts).
 */
const ASCII_BLOCK_AT = /[ \t]*(datasource|generator)[ \t]+[A-Za-z0-9][A-Za-z0-9_-]*[ \t]*\{([^}]*)\}/y;
let blockAt: RegExp | undefined;

function unicodeBlockAt(): RegExp {
  return (blockAt ??= new RegExp(
    `[ \\t]*(datasource|generator)[ \\t]+${PRISMA_IDENTIFIER_SOURCE}[ \\t]*\\{([^}]*)\\}`,
    'uy',
  ));
}

/** The datasource and generator blocks of `text`, in order: `text.matchAll(/^…/gmu)`, found sooner. */
export function configBlocks(text: string): RegExpExecArray[] {
  const blocks: RegExpExecArray[] = [];
  let end = 0;
  for (const start of keywordLineStarts(text, ['datasource', 'generator'])) {
    if (start < end) continue; // inside the block matched before
    const match = execAt(ASCII_BLOCK_AT, text, start) ?? execAt(unicodeBlockAt(), text, start);
    if (match === null) continue;
    blocks.push(match);
    end = start + match[0].length;
  }
  return blocks;
}

/** A datasource or generator block, as Prisma 7's validator accepts it (the same length, lines kept). */
function sanitizeBlock(
  block: string,
  kind: string,
  blockOffset: number,
  source: SchemaSource,
  known: ReadonlySet<string>,
  warnings: LoadWarning[],
): string {
  if (kind === 'datasource') {
    return block
      .replace(LEGACY_DATASOURCE_KEYS, (line: string, key: string, lineOffset: number) => {
        warn(
          warnings,
          source,
          blockOffset + lineOffset,
          'legacy-datasource-url',
          `\`${key}\` in the datasource is Prisma 6 syntax (Prisma 7 reads connection URLs from prisma.config.ts); ignored`,
        );
        return blank(line);
      })
      .replace(REFERENTIAL_INTEGRITY, (_m: string, indent: string, offset: number) => {
        warn(
          warnings,
          source,
          blockOffset + offset,
          'legacy-referential-integrity',
          '`referentialIntegrity` is the old name of `relationMode`; read as relationMode',
        );
        return `${indent}relationMode        `;
      });
  }
  return block.replace(PREVIEW, (whole: string, list: string, offset: number) => {
    const features = [...list.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    const removed = features.filter((f) => !known.has(f.toLowerCase()));
    if (removed.length === 0) return whole;
    warn(
      warnings,
      source,
      blockOffset + offset,
      'removed-preview-feature',
      `preview feature${removed.length > 1 ? 's' : ''} ${removed.map((f) => `"${f}"`).join(', ')} no longer exist${removed.length > 1 ? '' : 's'} in Prisma 7; ignored`,
    );
    const kept = features.filter((f) => known.has(f.toLowerCase()));
    return padTo(`previewFeatures = [${kept.map((f) => `"${f}"`).join(', ')}]`, whole);
  });
}

function warn(warnings: LoadWarning[], source: SchemaSource, offset: number, code: string, message: string): void {
  const { line, column } = lineColumnAt(source.content, offset);
  warnings.push({
    code,
    message,
    span: { file: source.path, line, column, endLine: line, endColumn: column, offset, endOffset: offset },
  });
}

function blank(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}

/** `replacement`, padded with spaces so it keeps `original`'s length and newlines. */
function padTo(replacement: string, original: string): string {
  const newlines = original.split('\n').length - 1;
  const width = original.length - newlines;
  return replacement + ' '.repeat(Math.max(0, width - replacement.length)) + '\n'.repeat(newlines);
}
