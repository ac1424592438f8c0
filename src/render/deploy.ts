/**
 * The SQL deploy and progress run (`templates/deploy/`). Query templates take their values as
 * bind parameters; the few statements that need a name get one PostgreSQL printed itself
 * (regclass output or format('%I.%I')), never a name read from a file.
 */
import { template } from '../templates';

export const DEPLOY_TEMPLATE_NAMES = [
  'analyze',
  'backends',
  'cancel-backend',
  'drop-invalid-index',
  'duplicate-keys',
  'index-facts',
  'index-keys',
  'invalid-indexes',
  'old-transactions',
  'partitions-without-index',
  'progress',
  'sessions',
  'table-stats',
] as const;

export type DeployTemplateName = (typeof DEPLOY_TEMPLATE_NAMES)[number];

/** Renders `templates/deploy/<name>.sql.hbs`; `data` values are fragments PostgreSQL printed. */
export function deploySql(name: DeployTemplateName, data: Record<string, unknown> = {}): string {
  return template(`deploy/${name}.sql.hbs`)(data).trim();
}
