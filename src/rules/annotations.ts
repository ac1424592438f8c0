/**
 * idxgen's `///` annotations, parsed from `Table.docs` / `Column.docs` into typed values.
 *
 * Field level (the `///` lines right above a field, or a trailing `///` on its line):
 *   /// @idxgen.check(<expr>)     a CHECK constraint (see src/sql/check-expression.ts); must use the field
 *   /// @idxgen.trigram           a pg_trgm GIN index for LIKE / ILIKE '%term%' on a String field
 *   /// @idxgen.gin               a GIN index for a Json (jsonb) field or a scalar list, whatever the rule options say
 * Model level (the `///` lines right above `model X {`):
 *   /// @idxgen.covering(a, b desc include c, d)   btree (a, b DESC) INCLUDE (c, d), Prisma field names
 *   /// @idxgen.check(<expr>)                      a multi-column CHECK constraint
 *   /// @idxgen.feed                               the table is read as a feed (newest rows per parent):
 *                                                  fk-composite-index widens its FK indexes with the creation time
 * Both:
 *   /// idxgen-ignore <rule-id>[, <rule-id>] -- <reason>
 *
 * An argument may continue on the following `///` lines until its parentheses close.
 *
 * A malformed annotation is a user error with a span, never an exception. The model keeps doc
 * comments as plain strings, without per-line positions, so errors and annotations point at the
 * span of the field (or model) the comment belongs to.
 *
 * Pure: no I/O. The result for a given model object is cached (the rules each ask for it).
 */
import { tableNamed } from '../model/table-lookup';
import type { Column, SchemaModel, Span, Table } from '../model/types';
import { parseCheckExpression, type CheckExpr } from '../sql/check-expression';
import { didYouMean } from '../sql/expr-suggest';
import type { Proposal } from './types';

// ------------------------------------------------------------------------------------------------
// Types

export interface AnnotationError {
  message: string;
  span: Span;
}

interface Target {
  /** Prisma model name. */
  model: string;
  /** Database table name. */
  table: string;
  schema?: string;
  /** The field's span (field-level) or the model's span (model-level). */
  span: Span;
}

export interface CheckAnnotation extends Target {
  kind: 'check';
  /** Prisma field the annotation sits on; undefined at model level. */
  field?: string;
  /** The expression as the user wrote it. */
  source: string;
  /** Canonical SQL with quoted identifiers (validated). */
  sql: string;
  /** Database names of the columns the expression uses, in order of first use. */
  columns: string[];
  /** Prisma field names of the same columns. */
  fields: string[];
  expr: CheckExpr;
}

export interface FieldFlagAnnotation extends Target {
  kind: 'trigram' | 'gin';
  field: string;
  column: string;
}

export interface CoveringColumn {
  column: string;
  field: string;
  sort?: 'asc' | 'desc';
}

export interface CoveringAnnotation extends Target {
  kind: 'covering';
  source: string;
  columns: CoveringColumn[];
  include: { column: string; field: string }[];
}

/** `/// @idxgen.feed` above a model: its rows are read newest first per parent. */
export interface FeedAnnotation extends Target {
  kind: 'feed';
}

export interface Suppression extends Target {
  kind: 'ignore';
  /** Prisma field the comment sits on; undefined for a model-level suppression. */
  field?: string;
  rules: string[];
  reason: string;
}

export interface SchemaAnnotations {
  checks: CheckAnnotation[];
  trigram: FieldFlagAnnotation[];
  gin: FieldFlagAnnotation[];
  covering: CoveringAnnotation[];
  feed: FeedAnnotation[];
  suppressions: Suppression[];
}

export interface AnnotationResult {
  annotations: SchemaAnnotations;
  errors: AnnotationError[];
}

export interface AnnotationOptions {
  /** When given, `idxgen-ignore` with a rule id outside this list is an error (with close matches). */
  knownRuleIds?: readonly string[];
}

export const ANNOTATION_NAMES = ['check', 'covering', 'feed', 'gin', 'trigram'] as const;
const RULE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// ------------------------------------------------------------------------------------------------
// Parsing

const cache = new WeakMap<SchemaModel, AnnotationResult>();

/** Every annotation in the schema, and every error found while reading them, in schema order. */
export function parseAnnotations(model: SchemaModel, options: AnnotationOptions = {}): AnnotationResult {
  const cacheable = options.knownRuleIds === undefined;
  if (cacheable) {
    const hit = cache.get(model);
    if (hit) return hit;
  }
  const reader = new Reader(model, options);
  for (const table of model.tables) reader.readTable(table);
  const result = { annotations: reader.annotations, errors: reader.errors };
  if (cacheable) cache.set(model, result);
  return result;
}

interface DocLine {
  text: string;
}

class Reader {
  readonly annotations: SchemaAnnotations = {
    checks: [],
    trigram: [],
    gin: [],
    covering: [],
    feed: [],
    suppressions: [],
  };
  readonly errors: AnnotationError[] = [];

  constructor(
    private readonly model: SchemaModel,
    private readonly options: AnnotationOptions,
  ) {}

  readTable(table: Table): void {
    this.readDocs(table, undefined, table.docs);
    for (const column of table.columns) this.readDocs(table, column, column.docs);
  }

  private error(span: Span, where: string, message: string): void {
    this.errors.push({ message: `${where}: ${message}`, span });
  }

  private readDocs(table: Table, column: Column | undefined, docs: readonly string[]): void {
    if (docs.length === 0) return; // most fields: nothing to read, nothing to allocate
    const span = column ? column.span : table.span;
    const where = column ? `${table.model}.${column.field}` : `model ${table.model}`;
    const lines: DocLine[] = docs.map((d) => ({ text: d.trim() }));
    const seenFlags = new Set<string>();
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!.text;
      if (/^idxgen-ignore(\s|$)/.test(text)) {
        this.readIgnore(table, column, text.slice('idxgen-ignore'.length).trim(), span, where);
        continue;
      }
      if (!/^@?idxgen\b/i.test(text)) continue;
      const head = /^@idxgen\.([A-Za-z_][A-Za-z0-9_]*)/.exec(text);
      if (!head) {
        this.error(
          span,
          where,
          `unrecognized idxgen comment ${JSON.stringify(text)}: annotations are written /// @idxgen.<name>(...), suppressions /// idxgen-ignore <rule-id> -- <reason>`,
        );
        continue;
      }
      const name = head[1]!;
      if (!(ANNOTATION_NAMES as readonly string[]).includes(name)) {
        this.error(
          span,
          where,
          `unknown annotation @idxgen.${name}${didYouMean(name, ANNOTATION_NAMES, (s) => `@idxgen.${s}`)}; known: ${ANNOTATION_NAMES.map((n) => `@idxgen.${n}`).join(', ')}`,
        );
        continue;
      }
      // Arguments: from `(` to the matching `)`, possibly over several `///` lines.
      let rest = text.slice(head[0].length);
      let args: string | undefined;
      if (rest.trimStart().startsWith('(')) {
        let joined = rest.trimStart();
        let end = findClosingParen(joined);
        while (end === -2 && i + 1 < lines.length) {
          i++;
          joined += ` ${lines[i]!.text}`;
          end = findClosingParen(joined);
        }
        if (end < 0) {
          this.error(span, where, `@idxgen.${name}( is not closed: missing )`);
          continue;
        }
        args = joined.slice(1, end);
        rest = joined.slice(end + 1);
      }
      if (rest.trim() !== '') {
        this.error(
          span,
          where,
          `unexpected text after @idxgen.${name}${args !== undefined ? '(...)' : ''}: ${JSON.stringify(rest.trim())}`,
        );
        continue;
      }
      if (this.blocked(table, span, where, name)) continue;
      switch (name) {
        case 'check':
          this.readCheck(table, column, args, span, where);
          break;
        case 'covering':
          if (this.onModel(table, column, name, span, where)) this.readCovering(table, args, span, where);
          break;
        case 'feed':
          if (this.onModel(table, column, name, span, where) && this.flag(name, args, seenFlags, span, where))
            this.annotations.feed.push({
              kind: 'feed',
              model: table.model,
              table: table.name,
              ...(table.schema !== undefined ? { schema: table.schema } : {}),
              span,
            });
          break;
        case 'trigram':
        case 'gin':
          if (!column)
            this.error(span, where, `@idxgen.${name} belongs on a field: put it in the /// lines above the field`);
          else if (this.flag(name, args, seenFlags, span, where)) this.readFlag(table, column, name, span, where);
          break;
      }
    }
  }

  /** `@idxgen.covering` and `@idxgen.feed` sit above the model: whether this one does (an error if not). */
  private onModel(table: Table, column: Column | undefined, name: string, span: Span, where: string): boolean {
    if (!column) return true;
    this.error(
      span,
      where,
      `@idxgen.${name} belongs to the model: put it in the /// lines above \`model ${table.model} {\``,
    );
    return false;
  }

  /** A flag (`feed`, `gin`, `trigram`) takes no arguments and is written once per field or model: whether this one is. */
  private flag(name: string, args: string | undefined, seenFlags: Set<string>, span: Span, where: string): boolean {
    if (args !== undefined) {
      this.error(span, where, `@idxgen.${name} takes no arguments`);
      return false;
    }
    if (seenFlags.has(name)) {
      this.error(span, where, `@idxgen.${name} is written twice`);
      return false;
    }
    seenFlags.add(name);
    return true;
  }

  /** Views and @@ignore'd models get no proposals: an annotation there would silently do nothing. */
  private blocked(table: Table, span: Span, where: string, name: string): boolean {
    if (table.kind === 'view') {
      this.error(
        span,
        where,
        `@idxgen.${name} has no effect on a view: idxgen proposes indexes and constraints for tables only`,
      );
      return true;
    }
    if (table.ignored) {
      this.error(span, where, `@idxgen.${name} has no effect on an @@ignore'd model`);
      return true;
    }
    return false;
  }

  private target(table: Table, span: Span): Target {
    return {
      model: table.model,
      table: table.name,
      ...(table.schema !== undefined ? { schema: table.schema } : {}),
      span,
    };
  }

  private readCheck(
    table: Table,
    column: Column | undefined,
    args: string | undefined,
    span: Span,
    where: string,
  ): void {
    if (args === undefined || args.trim() === '') {
      this.error(span, where, '@idxgen.check needs an expression: @idxgen.check(<boolean SQL expression>)');
      return;
    }
    const result = parseCheckExpression(args, { table, enums: this.model.enums });
    if (!result.ok) {
      const near = result.offset > 0 ? args.slice(result.offset, result.offset + 24).trim() : '';
      this.error(
        span,
        where,
        `@idxgen.check(${args.trim()}): ${result.error}${near ? ` (at ${JSON.stringify(near)})` : ''}`,
      );
      return;
    }
    if (column && !result.columns.includes(column.name)) {
      this.error(
        span,
        where,
        `@idxgen.check(${args.trim()}) sits on field ${column.field} but does not use it: put checks over other columns on the model (/// above \`model ${table.model} {\`)`,
      );
      return;
    }
    this.annotations.checks.push({
      kind: 'check',
      ...this.target(table, span),
      ...(column ? { field: column.field } : {}),
      source: args.trim(),
      sql: result.sql,
      columns: result.columns,
      fields: result.fields,
      expr: result.expr,
    });
  }

  private readFlag(table: Table, column: Column, name: 'trigram' | 'gin', span: Span, where: string): void {
    const type = `${column.type}${column.list ? '[]' : ''}${column.nativeType ? ` @db.${column.nativeType.name}` : ''}`;
    if (name === 'trigram') {
      const native = column.nativeType?.name;
      if (column.type !== 'String' || column.kind !== 'scalar' || column.list) {
        this.error(span, where, `@idxgen.trigram needs a String field; ${column.field} is ${type}`);
        return;
      }
      if (native && !['Text', 'VarChar', 'Citext'].includes(native)) {
        this.error(
          span,
          where,
          `@idxgen.trigram: gin_trgm_ops indexes text, varchar and citext; ${column.field} is ${type}`,
        );
        return;
      }
    } else {
      const json = column.type === 'Json' && column.kind === 'scalar';
      if (json && column.list) {
        this.error(
          span,
          where,
          `@idxgen.gin: Json[] lists are not supported (store a jsonb array in a Json field instead)`,
        );
        return;
      }
      if (json && column.nativeType?.name === 'Json') {
        this.error(
          span,
          where,
          `@idxgen.gin: ${column.field} is @db.Json (type json), and GIN indexes need jsonb: use Json or @db.JsonB (a column type change rewrites the table)`,
        );
        return;
      }
      if (!json && !(column.list && (column.kind === 'scalar' || column.kind === 'enum'))) {
        this.error(
          span,
          where,
          `@idxgen.gin needs a Json field or a scalar list (String[], Int[], enum[]); ${column.field} is ${type}`,
        );
        return;
      }
    }
    this.annotations[name].push({ kind: name, ...this.target(table, span), field: column.field, column: column.name });
  }

  private readCovering(table: Table, args: string | undefined, span: Span, where: string): void {
    const usage =
      '@idxgen.covering(<key fields> include <included fields>), e.g. @idxgen.covering(customerId, createdAt desc include total)';
    if (args === undefined || args.trim() === '') {
      this.error(span, where, `@idxgen.covering needs fields: ${usage}`);
      return;
    }
    const parts = args.split(/\binclude\b/i);
    if (parts.length !== 2) {
      this.error(
        span,
        where,
        parts.length === 1
          ? `@idxgen.covering(${args.trim()}) has no include list; without INCLUDE columns it is a plain @@index([...]) that Prisma can declare itself. Usage: ${usage}`
          : `@idxgen.covering(${args.trim()}): write include once`,
      );
      return;
    }
    const [keyPart, includePart] = parts as [string, string];
    const resolve = (name: string): Column | undefined =>
      table.columns.find((c) => c.field === name) ?? table.columns.find((c) => c.name === name);
    const problems: string[] = [];
    const columns: CoveringColumn[] = [];
    const include: { column: string; field: string }[] = [];
    const used = new Set<string>();
    const candidates = table.columns.map((c) => c.field);
    const readList = (text: string, keys: boolean): void => {
      const items = text.split(',').map((s) => s.trim());
      if (items.length === 1 && items[0] === '') {
        problems.push(keys ? 'no key fields before include' : 'no fields after include');
        return;
      }
      for (const item of items) {
        if (item === '') {
          problems.push('empty entry in the field list');
          continue;
        }
        const words = item.split(/\s+/);
        const name = words[0]!;
        const sortWord = words[1]?.toLowerCase();
        if (
          !FIELD_NAME.test(name) ||
          words.length > 2 ||
          (words.length === 2 && (!keys || (sortWord !== 'asc' && sortWord !== 'desc')))
        ) {
          problems.push(
            `${JSON.stringify(item)} is not a field name${keys ? ' (optionally followed by asc or desc)' : ''}`,
          );
          continue;
        }
        const column = resolve(name);
        if (!column) {
          problems.push(`unknown field ${JSON.stringify(name)}${didYouMean(name, candidates)}`);
          continue;
        }
        if (used.has(column.name)) {
          problems.push(`${column.field} is listed twice`);
          continue;
        }
        used.add(column.name);
        if (keys)
          columns.push({
            column: column.name,
            field: column.field,
            ...(sortWord ? { sort: sortWord as 'asc' | 'desc' } : {}),
          });
        else include.push({ column: column.name, field: column.field });
      }
    };
    readList(keyPart, true);
    readList(includePart, false);
    if (problems.length > 0) {
      this.error(span, where, `@idxgen.covering(${args.trim()}): ${problems.join('; ')}`);
      return;
    }
    this.annotations.covering.push({
      kind: 'covering',
      ...this.target(table, span),
      source: args.trim(),
      columns,
      include,
    });
  }

  private readIgnore(table: Table, column: Column | undefined, rest: string, span: Span, where: string): void {
    const usage = 'write /// idxgen-ignore <rule-id>[, <rule-id>] -- <reason>';
    const dash = rest.indexOf('--');
    const idsText = (dash >= 0 ? rest.slice(0, dash) : rest).trim();
    const reason = dash >= 0 ? rest.slice(dash + 2).trim() : '';
    if (idsText === '') {
      this.error(span, where, `idxgen-ignore names no rule: ${usage}`);
      return;
    }
    if (reason === '') {
      this.error(
        span,
        where,
        `idxgen-ignore ${idsText} gives no reason: ${usage} (the reason is shown in reports, so the next reader knows why)`,
      );
      return;
    }
    const rules: string[] = [];
    const problems: string[] = [];
    for (const id of idsText.split(',').map((s) => s.trim())) {
      if (id === '') {
        problems.push('empty rule id in the list');
      } else if (!RULE_ID.test(id)) {
        problems.push(`${JSON.stringify(id)} is not a rule id (rule ids look like fk-index)`);
      } else if (this.options.knownRuleIds && !this.options.knownRuleIds.includes(id)) {
        problems.push(`unknown rule ${JSON.stringify(id)}${didYouMean(id, this.options.knownRuleIds)}`);
      } else if (rules.includes(id)) {
        problems.push(`${id} is listed twice`);
      } else {
        rules.push(id);
      }
    }
    if (problems.length > 0) {
      this.error(span, where, `idxgen-ignore ${idsText}: ${problems.join('; ')}`);
      return;
    }
    this.annotations.suppressions.push({
      kind: 'ignore',
      ...this.target(table, span),
      ...(column ? { field: column.field } : {}),
      rules,
      reason,
    });
  }
}

/**
 * Index of the `)` closing the `(` at index 0, skipping '...' literals and "..." identifiers;
 * -2 when the text ends first (the argument may continue on the next line).
 */
function findClosingParen(text: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) {
        if (text[i + 1] === quote) i++;
        else quote = undefined;
      }
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -2;
}

// ------------------------------------------------------------------------------------------------
// Suppressions, for the plan stage

/** What a proposal is about, for matching `idxgen-ignore` comments. */
export interface SuppressionTarget {
  ruleId: string;
  /** Prisma model name. */
  model: string;
  /** Prisma field names the proposal is about (key columns of an index, columns of a check). */
  fields: readonly string[];
}

/**
 * The fields a proposal is about: the key columns of a proposed index (not INCLUDE columns), the
 * columns of a CHECK, the key columns of an index proposed for dropping.
 */
export function proposalFields(proposal: Pick<Proposal, 'spec'>, model: SchemaModel): string[] {
  const spec = proposal.spec;
  switch (spec.kind) {
    case 'index':
      return spec.columns.map((c) => c.field);
    case 'drop-index':
      return spec.recreate.columns.map((c) => c.field);
    case 'check': {
      const table = tableNamed(model.tables, spec.table, spec.schema);
      return spec.columns.map((name) => table?.columns.find((c) => c.name === name)?.field ?? name);
    }
  }
}

export function suppressionTarget(
  proposal: Pick<Proposal, 'ruleId' | 'model' | 'spec'>,
  model: SchemaModel,
): SuppressionTarget {
  return { ruleId: proposal.ruleId, model: proposal.model, fields: proposalFields(proposal, model) };
}

/**
 * The suppression that silences `target`, if any: a model-level `idxgen-ignore` naming the rule on
 * the same model, or a field-level one on any field the proposal is about. Model-level first.
 */
export function findSuppression(
  suppressions: readonly Suppression[],
  target: SuppressionTarget,
): Suppression | undefined {
  const candidates = suppressions.filter((s) => s.model === target.model && s.rules.includes(target.ruleId));
  return (
    candidates.find((s) => s.field === undefined) ??
    candidates.find((s) => s.field !== undefined && target.fields.includes(s.field))
  );
}

/** Convenience: `findSuppression` for a proposal. */
export function isSuppressed(
  suppressions: readonly Suppression[],
  proposal: Pick<Proposal, 'ruleId' | 'model' | 'spec'>,
  model: SchemaModel,
): Suppression | undefined {
  // The proposal's fields are looked up only when a suppression names its model and rule (rarely).
  const candidates = suppressions.filter((s) => s.model === proposal.model && s.rules.includes(proposal.ruleId));
  return candidates.length === 0 ? undefined : findSuppression(candidates, suppressionTarget(proposal, model));
}

/**
 * Suppression entries that silenced nothing: one item per (suppression, rule id) pair that no
 * proposal matched, in schema order. Pass every proposal the rules produced (before suppression),
 * from every rule that ran; a suppression naming a rule that did not run shows up here too, which
 * the caller may want to filter with the list of enabled rules.
 */
export function unusedSuppressions(
  suppressions: readonly Suppression[],
  proposals: readonly Pick<Proposal, 'ruleId' | 'model' | 'spec'>[],
  model: SchemaModel,
): { suppression: Suppression; ruleId: string }[] {
  if (suppressions.length === 0) return [];
  const used = new Set<string>();
  const key = (s: Suppression, ruleId: string) => `${suppressions.indexOf(s)}\u0000${ruleId}`;
  for (const proposal of proposals) {
    let fields: readonly string[] | undefined;
    for (const s of suppressions) {
      if (s.model !== proposal.model || !s.rules.includes(proposal.ruleId)) continue;
      if (s.field === undefined || (fields ??= proposalFields(proposal, model)).includes(s.field))
        used.add(key(s, proposal.ruleId));
    }
  }
  const unused: { suppression: Suppression; ruleId: string }[] = [];
  for (const s of suppressions)
    for (const ruleId of s.rules) if (!used.has(key(s, ruleId))) unused.push({ suppression: s, ruleId });
  return unused;
}
