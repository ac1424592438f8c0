import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig, type Config } from '../config/config';
import { UserError } from '../errors';
import { INPUT_LIMITS, InputFileError, readInputText } from './read-input';
import type { RegisteredRule } from '../rules/types';

const CONFIG_FILES = ['idxgen.config.json', '.idxgenrc.json'];

/** `--config`, then idxgen.config.json, .idxgenrc.json, then the `idxgen` key of package.json. */
export function readConfig(cwd: string, rules: readonly RegisteredRule[], explicit?: string): Config {
  const found = findConfig(cwd, explicit);
  const result = parseConfig(found?.raw, rules, found?.file);
  if ('errors' in result) {
    throw new UserError(result.errors.map((message) => ({ file: found?.file, message: `config ${message}` })));
  }
  return result.config;
}

function findConfig(cwd: string, explicit?: string): { file: string; raw: unknown } | undefined {
  if (explicit !== undefined) return { file: explicit, raw: readJson(path.resolve(cwd, explicit), explicit) };
  for (const name of CONFIG_FILES) {
    const file = path.join(cwd, name);
    if (fs.existsSync(file)) return { file: name, raw: readJson(file, name) };
  }
  const pkgFile = path.join(cwd, 'package.json');
  if (fs.existsSync(pkgFile)) {
    const pkg = readJson(pkgFile, 'package.json');
    if (typeof pkg === 'object' && pkg !== null && Object.hasOwn(pkg, 'idxgen')) {
      return { file: 'package.json#idxgen', raw: (pkg as { idxgen: unknown }).idxgen };
    }
  }
  return undefined;
}

function readJson(file: string, shown: string): unknown {
  let text: string;
  try {
    text = readInputText(file, INPUT_LIMITS.config);
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    const why = error.code === 'ENOTREG' || error.code === 'EFBIG' ? `: ${error.message}` : ` (${error.code})`;
    throw new UserError([{ file: shown, message: `cannot read config${why}` }]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError([{ file: shown, message: `config is not valid JSON: ${(error as Error).message}` }]);
  }
}
