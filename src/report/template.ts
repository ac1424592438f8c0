/**
 * Report templates (`templates/report/<name>.hbs`), through the one loader in src/templates.ts.
 * A missing template is an error, never a fallback.
 */
import type Handlebars from 'handlebars';
import { template } from '../templates';

/** The compiled `templates/report/<name>.hbs`; throws when the file does not exist. */
export function reportTemplate(name: string): Handlebars.TemplateDelegate {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new Error(`invalid report template name: ${JSON.stringify(name)}`);
  try {
    return template(`report/${name}.hbs`);
  } catch (error) {
    throw new Error(`missing report template templates/report/${name}.hbs (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Renders a report template with a view; the view must carry every field the template reads. */
export function renderTemplate(name: string, view: object): string {
  return reportTemplate(name)(view);
}
