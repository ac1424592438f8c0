/**
 * The text `generate` writes besides SQL statements (migration_lock.toml, the header of a
 * per-table migration, the summary and the PR description) lives in `templates/generate/*.hbs`.
 * Loaded through the one loader in src/templates.ts; LF line endings.
 */
import { join } from 'node:path';
import { template, templatesRoot } from '../templates';

export const GENERATE_TEMPLATES = [
  'migration_lock.toml',
  'group-header.sql',
  'summary.txt',
  'summary.md',
  'dry-run.txt',
  'drift-warning.txt',
] as const;
export type GenerateTemplate = (typeof GENERATE_TEMPLATES)[number];

export function generateTemplatesDir(): string {
  return join(templatesRoot(), 'generate');
}

/** Renders a template; the result has LF endings and exactly one final newline. */
export function renderGenerateTemplate(name: GenerateTemplate, data: object): string {
  return template(`generate/${name}.hbs`)(data).replace(/\r\n?/g, '\n').replace(/\n*$/, '\n');
}
