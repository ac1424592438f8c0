import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaModel } from '../../src/model/types';
import { loadSchema } from '../../src/schema/load';
import type { IndexSpec, Proposal, RegisteredRule, Rule } from '../../src/rules/types';
import { renderPredicateSql } from '../../src/render/predicate';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'rules');
import { CORPUS } from './corpus';

export { CORPUS };

/** Schema text → normalized model, through the real loader (Prisma's validator, then buildModel). */
export function modelFrom(schemaText: string, path = 'schema.prisma'): SchemaModel {
  return loadSchema([{ path, content: schemaText }]).model;
}

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export type RuleFinding = Omit<Proposal, 'severity'>;

/** Runs one rule the way the CLI does: defaults overlaid with `options`, tables without views and ignored models. */
export function runRule<O>(
  rule: Rule<O> | RegisteredRule,
  schemaText: string | SchemaModel,
  options?: Partial<O>,
): RuleFinding[] {
  const model = typeof schemaText === 'string' ? modelFrom(schemaText) : schemaText;
  const problems = rule.meta.validateOptions(options ?? {});
  if (problems.length > 0) throw new Error(`bad options for ${rule.meta.id}: ${problems.join('; ')}`);
  return rule.run({ model, tables: model.tables.filter((t) => t.kind !== 'view' && !t.ignored) }, options);
}

/** What a table test expects of one proposal. Columns are written `col`, `col DESC`, `col jsonb_path_ops`. */
export interface Expected {
  table: string;
  columns: string[];
  method?: IndexSpec['method'];
  unique?: boolean;
  where?: string;
  line: number;
  column: number;
}

export interface InvalidCase<O> {
  name: string;
  schema: string;
  options?: Partial<O>;
  expected: Expected[];
}

export interface ValidCase<O> {
  name: string;
  schema: string;
  options?: Partial<O>;
}

function columnText(c: { column: string; sort?: string; opclass?: string }): string {
  return [c.column, c.opclass, c.sort === 'desc' ? 'DESC' : undefined].filter(Boolean).join(' ');
}

/** A proposal reduced to what table tests compare: the index it proposes and where it points. */
export function summarize(p: RuleFinding): Required<Omit<Expected, 'where'>> & { where?: string } {
  const spec = p.spec.kind === 'drop-index' ? p.spec.recreate : p.spec;
  if (spec.kind !== 'index') throw new Error(`unexpected ${spec.kind} spec from ${p.ruleId}`);
  const out: Required<Omit<Expected, 'where'>> & { where?: string } = {
    table: spec.table,
    columns: spec.columns.map(columnText),
    method: spec.method,
    unique: spec.unique,
    line: p.span.line,
    column: p.span.column,
  };
  if (spec.where !== undefined) out.where = renderPredicateSql(spec.where);
  return out;
}

function expand(e: Expected): ReturnType<typeof summarize> {
  const out: ReturnType<typeof summarize> = {
    table: e.table,
    columns: e.columns,
    method: e.method ?? 'btree',
    unique: e.unique ?? false,
    line: e.line,
    column: e.column,
  };
  if (e.where !== undefined) out.where = e.where;
  return out;
}

/** eslint-style table tests: `valid` schemas give no proposal, `invalid` ones give exactly `expected` (in order). */
export function ruleTester<O>(rule: Rule<O>, cases: { valid: ValidCase<O>[]; invalid: InvalidCase<O>[] }): void {
  describe(rule.meta.id, () => {
    describe('valid', () => {
      it.each(cases.valid.map((c) => [c.name, c] as const))('%s', (_name, c) => {
        expect(runRule(rule, c.schema, c.options).map(summarize)).toEqual([]);
      });
    });
    describe('invalid', () => {
      it.each(cases.invalid.map((c) => [c.name, c] as const))('%s', (_name, c) => {
        const found = runRule(rule, c.schema, c.options);
        expect(found.map(summarize)).toEqual(c.expected.map(expand));
        for (const p of found) {
          expect(p.ruleId).toBe(rule.meta.id);
          expect(p.message.title.length).toBeGreaterThan(0);
          expect(p.message.cost.length).toBeGreaterThan(0);
          expect(p.message.instead.length).toBeGreaterThan(0);
          expect(p.evidence.length).toBeGreaterThan(0);
        }
      });
    });
  });
}

/** A schema from model text, with a fixed 8-line header: the first model line is line 9. */
export function schema(body: string, opts: { relationMode?: 'prisma'; previewFeatures?: string[] } = {}): string {
  const preview = opts.previewFeatures?.length
    ? `previewFeatures = [${opts.previewFeatures.map((f) => `"${f}"`).join(', ')}]`
    : '';
  const relation = opts.relationMode ? `relationMode = "${opts.relationMode}"` : '';
  return [
    'datasource db {',
    '  provider = "postgresql"',
    `  ${relation}`,
    '}',
    'generator client {',
    '  provider = "prisma-client-js"',
    `  ${preview}`,
    '}',
    body.replace(/^\n/, ''),
  ].join('\n');
}

export function corpusSchema(file: string): string {
  return readFileSync(join(CORPUS, file), 'utf8');
}
