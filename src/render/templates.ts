/**
 * The SQL templates (`templates/sql`, `templates/steps`, the migration header), through the one
 * loader in src/templates.ts.
 */
import { template, templatesRoot } from '../templates';

/** Every template the renderer uses, by path below `templates/` without `.sql.hbs`. */
export const TEMPLATE_NAMES = [
  'migration-header',
  // One statement template per step kind (src/plan/steps.ts).
  'sql/create-extension',
  'sql/keep-extension',
  'sql/create-index',
  'sql/drop-index',
  'sql/add-check',
  'sql/drop-check',
  'sql/validate-check',
  'sql/keep-validated',
  'sql/create-index-only',
  'sql/attach-index',
  'sql/drop-partitioned-index',
  'steps/build-index-only',
  'steps/attach-index',
  'steps/drop-partitioned-index',
  'steps/build-index',
  'steps/drop-index',
  'steps/add-check',
  'steps/validate-check',
  'steps/drop-constraint',
  'steps/create-extension',
  'steps/no-op',
  'sql/introspect/server',
  'sql/introspect/index-usage',
  'sql/introspect/tables',
  'sql/introspect/extensions',
  'sql/introspect/null-fractions',
  'sql/introspect/btree-bloat',
  'sql/introspect/repair-invalid',
  'sql/introspect/reindex',
  'sql/introspect/pgstatindex',
  'sql/introspect/partitions',
  'sql/introspect/relation-names',
  'sql/scratch/columns',
  'sql/scratch/indexes',
  'sql/scratch/create-schema',
  'sql/scratch/create-enum',
  'sql/scratch/create-table',
  'sql/scratch/fill-table',
  'sql/scratch/analyze',
  'sql/scratch/restore-column-stats',
  'sql/scratch/drop-index',
] as const;

export type TemplateName = (typeof TEMPLATE_NAMES)[number];

const EXTENSION = '.sql.hbs';

/** `templates/` of this package. */
export function templatesDir(): string {
  return templatesRoot();
}

/** Renders one template with data whose values are already safe fragments. */
export function renderTemplate(name: TemplateName, data: Record<string, unknown>): string {
  return template(`${name}${EXTENSION}`)(data);
}

/** Compiles every known template now (a build/test check that none is missing or broken). */
export function loadAllTemplates(): void {
  for (const name of TEMPLATE_NAMES) template(`${name}${EXTENSION}`);
}
