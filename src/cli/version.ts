import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

export function toolVersion(): string {
  cached ??= (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
