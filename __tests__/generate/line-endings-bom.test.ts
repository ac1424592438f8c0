/**
 * Two crashes the fuzzer found in `generate` (the real binary): a schema that starts with a UTF-8
 * BOM was refused as "changed since it was read" (exit 2) though nothing changed, and a schema
 * with lone-CR line endings stopped with "closing brace of model X is not at..." (exit 3).
 * Both now write the migrations and edit the schema in the file's own form: the BOM stays, the
 * inserted lines end with CR like the others, and no other byte moves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, runBin, tempProject } from '../support/cli';

const SCHEMA = fs.readFileSync(path.join(REPO, 'examples', 'blog-minimal', 'schema.prisma'), 'utf8');
const ARGS = ['generate', '--schema', 'schema.prisma', '--no-cache', '--timestamp', '20260101000000'];

function generateOn(schemaText: string): {
  code: number;
  stderr: string;
  before: string;
  after: string;
  folders: string[];
} {
  const { dir, cleanup } = tempProject({ 'schema.prisma': schemaText });
  try {
    const r = runBin(ARGS, dir);
    const after = fs.readFileSync(path.join(dir, 'schema.prisma'), 'utf8');
    const migrations = path.join(dir, 'migrations');
    const folders = fs.existsSync(migrations)
      ? fs
          .readdirSync(migrations)
          .filter((f) => f !== 'migration_lock.toml')
          .sort()
      : [];
    return { code: r.code, stderr: r.stderr, before: schemaText, after, folders };
  } finally {
    cleanup();
  }
}

const lf = generateOn(SCHEMA);

test('the LF schema is the reference: generate writes folders and adds @@index lines', () => {
  expect(lf.code).toBe(0);
  expect(lf.folders.length).toBeGreaterThan(0);
  expect(lf.after).not.toBe(SCHEMA);
});

test('a schema that starts with a BOM: generate exits 0, keeps the BOM, and writes what it writes without one', () => {
  const r = generateOn(`\uFEFF${SCHEMA}`);
  expect(r.stderr).not.toContain('changed since it was read');
  expect(r.code).toBe(0);
  expect(r.folders).toEqual(lf.folders);
  expect(r.after).toBe(`\uFEFF${lf.after}`);
});

test('a schema with lone-CR line endings: generate exits 0, inserts the same lines ending in CR, touches nothing else', () => {
  const r = generateOn(SCHEMA.replace(/\n/g, '\r'));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.folders).toEqual(lf.folders);
  expect(r.after).not.toContain('\n');
  expect(r.after).toBe(lf.after.replace(/\n/g, '\r'));
});
