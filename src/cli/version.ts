import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_DIR } from '../package-dir';

let cached: string | undefined;

export function toolVersion(): string {
  cached ??= (JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string })
    .version;
  return cached;
}
