import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as nodeModule from 'node:module';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';

export const REPO = path.resolve(__dirname, '..', '..');
export const EXAMPLE_SCHEMA = path.join(REPO, 'prisma', 'schema.prisma');

/**
 * Node >= 22.1 has a compile cache of its own, which the bin uses instead of storing V8's code for
 * the bundle itself (src/cli/code-cache.ts): the tests of each way run on the Node that takes it.
 */
export const NODE_COMPILE_CACHE =
  typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with a captured console, in `cwd`. */
export async function runCli(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  parser: 'auto' | 'yargs' = 'auto',
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    cwd,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: { NO_COLOR: '1', ...env },
    isTTY: false,
    now: () => new Date(Date.UTC(2026, 10, 23, 12, 0, 0)),
  };
  const code = await main(argv, io, parser);
  return { code, stdout, stderr };
}

/** Runs the built CLI (`bin/idxgen.js`, needs `npm run build`) as a real process. */
export function runBin(argv: string[], cwd: string): RunResult {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'idxgen.js'), ...argv], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A temp project folder with the given files; removed by the returned cleanup. */
export function tempProject(files: Record<string, string | Buffer>): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-cli-'));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every file below `dir` with its bytes, to prove a command wrote nothing. */
export function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(path.relative(dir, full), fs.readFileSync(full).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

export const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n';

/** Two models and a foreign key without an index: the smallest schema fk-index reports (and generate fixes). */
export const UNINDEXED_FK_SCHEMA = `${DATASOURCE}
model User {
  id    Int    @id
  posts Post[]
}

model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}
`;
