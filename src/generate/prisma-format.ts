/**
 * Prisma's own formatter (`format` from @prisma/prisma-schema-wasm, what `prisma format` runs).
 *
 * Measured with the pinned 7.10 build: `format(schema, params)` takes `schema` as a JSON array
 * of `[path, content]` pairs (every file of a multi-file schema, so relations across files
 * resolve) and answers with the same shape. Given a plain schema string it returns the input
 * unchanged, silently — so the JSON form is the only one used here, and an answer that is not
 * that shape is an error, never "nothing to format". Pure (no file system).
 */
import { callPrismaSchemaWasm } from '../schema/prisma-wasm';
import type { SchemaSource } from '../schema/source';


const PARAMS = JSON.stringify({ textDocument: { uri: 'file:/schema.prisma' }, options: { tabSize: 2, insertSpaces: true } });

/** Formats all files together; returns path → formatted content. */
export function formatSchemaFiles(sources: readonly SchemaSource[]): Map<string, string> {
  const input = JSON.stringify(sources.map((s) => [s.path, s.content]));
  const output = callPrismaSchemaWasm((wasm) => wasm.format(input, PARAMS));
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    throw new Error('Prisma formatter did not answer with a list of files');
  }
  if (!Array.isArray(parsed)) throw new Error('Prisma formatter did not answer with a list of files');
  const out = new Map<string, string>();
  for (const item of parsed) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string') {
      throw new Error('Prisma formatter answered with an unexpected file entry');
    }
    out.set(item[0], item[1]);
  }
  for (const s of sources) if (!out.has(s.path)) throw new Error(`Prisma formatter lost file ${s.path}`);
  return out;
}
