/**
 * Test projects for `idxgen generate`: a temporary folder with a schema (the bundled example by
 * default), an in-memory CliIO with a fixed clock, and helpers that read the whole tree back.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateCommand, type GenerateCommandOptions } from '../../src/cli/commands/generate';
import type { CliIO } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import type { WriteHooks } from '../../src/io/write-tree';

export const REPO = path.join(__dirname, '..', '..');
export const BUNDLED_SCHEMA = fs.readFileSync(path.join(REPO, 'prisma', 'schema.prisma'), 'utf8');
export const FIXTURES = path.join(REPO, '__tests__', 'fixtures', 'generate');

export interface Project {
  root: string;
  io: CliIO & { out: string[]; err: string[] };
  write(rel: string, content: string): void;
  read(rel: string): string;
  exists(rel: string): boolean;
  /** Every file and folder below the project (or below `rel`), path → content ('' for folders). */
  tree(rel?: string): Record<string, string>;
  /** The migration folder names, sorted. */
  migrations(rel?: string): string[];
  /** Runs `idxgen generate <args>` through the CLI; returns the exit code. */
  cli(...args: string[]): Promise<number>;
  /** Calls the command directly (for injecting writer faults). */
  generate(options: Partial<GenerateCommandOptions>, hooks?: WriteHooks): Promise<number>;
  stdout(): string;
  stderr(): string;
  reset(): void;
  remove(): void;
}

const projects: Project[] = [];
afterEach(() => {
  while (projects.length > 0) projects.pop()!.remove();
});

/** A new project; removed after each test unless `keep` (then call `remove()` yourself, e.g. in afterAll). */
export function project(
  files: Record<string, string> = { 'prisma/schema.prisma': BUNDLED_SCHEMA },
  options: { now?: Date; keep?: boolean } = {},
): Project {
  const now = options.now ?? new Date(Date.UTC(2025, 5, 1, 12, 0, 0));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-gen-'));
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    cwd: root,
    stdout: (t: string) => void out.push(t),
    stderr: (t: string) => void err.push(t),
    env: { NO_COLOR: '1' } as NodeJS.ProcessEnv,
    isTTY: false,
    now: () => now,
    out,
    err,
  };
  const p: Project = {
    root,
    io,
    write(rel, content) {
      const file = path.join(root, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    },
    read: (rel) => fs.readFileSync(path.join(root, rel), 'utf8'),
    exists: (rel) => fs.existsSync(path.join(root, rel)),
    tree(rel = '.') {
      const base = path.join(root, rel);
      const result: Record<string, string> = {};
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const full = path.join(d, e.name);
          const key = path.relative(base, full).split(path.sep).join('/');
          if (e.isDirectory()) {
            result[`${key}/`] = '';
            walk(full);
          } else result[key] = fs.readFileSync(full, 'utf8');
        }
      };
      if (fs.existsSync(base)) walk(base);
      return Object.fromEntries(Object.entries(result).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    },
    migrations(rel = 'prisma/migrations') {
      const dir = path.join(root, rel);
      if (!fs.existsSync(dir)) return [];
      return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
    },
    async cli(...args) {
      return main(['generate', ...args], io);
    },
    async generate(options, hooks) {
      return generateCommand(
        {
          dryRun: false,
          includeInfo: false,
          allowDrift: false,
          previewFeatures: false,
          group: 'statement',
          format: 'text',
          timestamp: '20250601120000',
          ...options,
        },
        io,
        hooks,
      );
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    reset() {
      out.length = 0;
      err.length = 0;
    },
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
  for (const [rel, content] of Object.entries(files)) p.write(rel, content);
  if (!options.keep) projects.push(p);
  return p;
}

/** Copies a fixture folder into a new project. */
export function fixtureProject(name: string): Project {
  const dir = path.join(FIXTURES, name);
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else files[path.relative(dir, full).split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return project(files);
}
