/**
 * The one template renderer: the SQL templates (`templates/sql`, `templates/steps`, the migration
 * header) and the report text (`templates/report`), by typed name, through the one loader in
 * src/templates.ts. A missing template is an error, never a fallback.
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
  'sql/introspect/partitioned-indexes',
  'sql/introspect/relation-names',
  'sql/scratch/columns',
  'sql/scratch/indexes',
  'sql/scratch/create-schema',
  'sql/scratch/create-enum',
  'sql/scratch/create-table',
  'sql/scratch/fill-table',
  'sql/scratch/analyze',
  'sql/scratch/restore-column-stats',
  'sql/scratch/restore-visibility',
  'sql/scratch/drop-index',
  'sql/scratch/table-schemas',
] as const;

/** The report text, by path below `templates/` without `.hbs`. */
export const REPORT_TEMPLATE_NAMES = [
  'report/check.markdown',
  'report/check.text',
  'report/message.text',
  'report/plan-brief.text',
  'report/plan-end.text',
  'report/plan-table.text',
  'report/plan.markdown',
  'report/plan.text',
] as const;

export type TemplateName = (typeof TEMPLATE_NAMES)[number] | (typeof REPORT_TEMPLATE_NAMES)[number];

const EXTENSION = '.sql.hbs';

/** `templates/` of this package. */
export function templatesDir(): string {
  return templatesRoot();
}

function fileOf(name: TemplateName): string {
  return name.startsWith('report/') ? `${name}.hbs` : `${name}${EXTENSION}`;
}

/** Renders one template with data whose values are already safe fragments (SQL) or the view a report template reads. */
export function renderTemplate(name: TemplateName, data: object): string {
  return template(fileOf(name))(data);
}

/** Compiles every known template now (a build/test check that none is missing or broken). */
export function loadAllTemplates(): void {
  for (const name of [...TEMPLATE_NAMES, ...REPORT_TEMPLATE_NAMES]) template(fileOf(name));
}
