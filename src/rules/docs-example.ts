/**
 * A model as a rule's docs show it (RULES.md): `model <name> {`, its fields, then a blank line and
 * the block attributes when there are any, then `}`. A rule's bad and good examples are made from
 * the same fields, so the difference a reader looks for is only in the attributes.
 */
export function exampleModel(name: string, fields: readonly string[], attributes: readonly string[] = []): string {
  const body = [...fields, ...(attributes.length > 0 ? ['', ...attributes] : [])];
  return [`model ${name} {`, ...body.map((line) => (line === '' ? '' : `  ${line}`)), '}'].join('\n');
}
