/**
 * The shared body of the rules that propose a one-column GIN index for a field: json-gin-index,
 * array-gin-index and trigram-index. Each of them keeps its meta, docs and messages in its own file
 * and hands `fieldGinRule` what differs: which columns qualify, how fields are selected, which
 * existing index already serves one, the operator class, and the proposal's text.
 *
 * A field is proposed when it qualifies, is selected (its `///` annotation always selects it; the
 * options may select it too), and no index on it already serves it. `diagnose` reports `fields`
 * entries naming no field of a table, or a field that does not qualify.
 */
import type { Column, IndexColumn, IndexDef, SchemaModel, Table } from '../model/types';
import { quoteIdent } from '../sql/quote';
import type { QueryShape } from '../model/query-shape';
import { parseAnnotations } from './annotations';
import { allIndexes, tableRef } from './coverage';
import { defineRule, type RuleDefinition } from './define-rule';
import { option, type OptionShape, type OptionsOf } from './rule-options';
import type { IndexSpec, Proposal, ProposalMessage, Rule, RuleDiagnostic } from './types';

export interface FieldSelectionOptions {
  /** `Model.field` entries: when non-empty, only these fields (plus annotated ones) are considered. */
  fields: string[];
  /** `Model` or `Model.field` entries never considered (an annotation on the field overrides it). */
  exclude: string[];
}

/** What a proposal's text is made from. */
export interface FieldGinTarget<Options> {
  model: SchemaModel;
  table: Table;
  column: Column;
  /** Selected by the field's `///` annotation (rather than by the options). */
  annotated: boolean;
  options: Options;
  /** Every index of the table, primary key and uniques first. */
  indexes: readonly IndexDef[];
  /** The column, quoted. */
  col: string;
  /** The table, quoted and schema-qualified when it has a schema. */
  tableRef: string;
}

export interface FieldGinParts<Options> {
  /** The `Model.field` names the `fields` option lists (they are asked for, and `diagnose` checks them). */
  fields(options: Options): readonly string[];
  /** The `///` annotation that always selects a field. */
  annotation: 'gin' | 'trigram';
  /** Whether the column can take the index at all (annotation errors and `diagnose` say why not). */
  qualifies(column: Column): boolean;
  /** Why a `fields` entry naming a column that does not qualify is wrong: the text after "which ". */
  whyNot(column: Column): string;
  /** Whether the options select an unannotated field that qualifies. */
  selected(options: Options, model: string, field: string): boolean;
  /** Whether an existing index, on its column `key` (the field's column), already serves the field. */
  serves(index: IndexDef, key: IndexColumn): boolean;
  opclass: string;
  /** Prisma's name for the operator class, when it has one. */
  prismaOps?: string;
  extensions: string[];
  /** The reads the index serves on the field's column (its operators). */
  reads(table: Table, column: Column): QueryShape[];
  explain(target: FieldGinTarget<Options>): { evidence: string[]; message: ProposalMessage };
}

/** A rule that proposes `parts.opclass` GIN indexes for the fields it selects. */
export function fieldGinRule<S extends OptionShape>(
  options: S,
  meta: RuleDefinition<S>['meta'],
  parts: FieldGinParts<OptionsOf<S>>,
): Rule<OptionsOf<S>> {
  return defineRule({
    options,
    valueStyle: 'json',
    meta,

    check(ctx) {
      const { options } = ctx;
      const flagged = parseAnnotations(ctx.model).annotations[parts.annotation];
      const proposals: Omit<Proposal, 'severity'>[] = [];
      for (const table of ctx.tables) {
        const indexes = allIndexes(table);
        for (const column of table.columns) {
          if (!parts.qualifies(column)) continue;
          const annotated = flagged.some((a) => a.model === table.model && a.field === column.field);
          if (!annotated && !parts.selected(options, table.model, column.field)) continue;
          if (indexes.some((i) => i.columns.some((c) => c.column === column.name && parts.serves(i, c)))) continue;
          const target = {
            model: ctx.model,
            table,
            column,
            annotated,
            options,
            indexes,
            col: quoteIdent(column.name),
            tableRef: tableRef(table),
          };
          // Asked for (annotation, or named in `fields`) or considered because of its type alone (a guess).
          const asked = annotated || parts.fields(options).includes(`${table.model}.${column.field}`);
          proposals.push({
            ruleId: meta.id,
            spec: indexSpec(table, column, parts),
            serves: parts.reads(table, column),
            model: table.model,
            span: column.span,
            basis: asked ? 'request' : 'guess',
            ...parts.explain(target),
          });
        }
      }
      return proposals;
    },

    diagnose(ctx): RuleDiagnostic[] {
      const fields = parts.fields(ctx.options);
      const diagnostics: RuleDiagnostic[] = [];
      for (const name of unknownFieldNames(fields, ctx.tables)) {
        diagnostics.push({
          message: `${meta.id}: fields names ${JSON.stringify(name)}, which is not a field of a table in this schema`,
        });
      }
      for (const name of fields) {
        const [model, field] = name.split('.');
        const column = ctx.tables.find((t) => t.model === model)?.columns.find((c) => c.field === field);
        if (column && !parts.qualifies(column)) {
          diagnostics.push({
            message: `${meta.id}: fields names ${JSON.stringify(name)}, which ${parts.whyNot(column)}`,
            span: column.span,
          });
        }
      }
      return diagnostics;
    },
  });
}

function indexSpec<Options>(table: Table, column: Column, parts: FieldGinParts<Options>): IndexSpec {
  return {
    kind: 'index',
    table: table.name,
    ...(table.schema !== undefined ? { schema: table.schema } : {}),
    columns: [
      {
        column: column.name,
        field: column.field,
        opclass: parts.opclass,
        ...(parts.prismaOps !== undefined ? { prismaOps: parts.prismaOps } : {}),
      },
    ],
    method: 'gin',
    unique: false,
    include: [],
    extensions: [...parts.extensions],
  };
}

// ------------------------------------------------------------------------------------------------
// What json-gin-index and array-gin-index share: options fields / exclude / onlyAnnotated, and any
// GIN index on the column serves it.

export const GIN_OPTIONS = {
  /** `Model.field` entries: when non-empty, only these fields (plus annotated ones) are considered. */
  fields: option.names('Model.field'),
  /** `Model` or `Model.field` entries never considered (an annotation on the field overrides it). */
  exclude: option.names('Model or Model.field'),
  /** Only fields with `/// @idxgen.gin` (or named in `fields`). Default true. */
  onlyAnnotated: option.boolean(true),
};

export type GinFieldOptions = OptionsOf<typeof GIN_OPTIONS>;

const GIN_BUILD_MEASUREMENT =
  'measured (PG 15, 200 inserts/s): building a GIN index held inserts up to 1,673 ms; CONCURRENTLY, 20.5 ms';

const ginSelection = {
  annotation: 'gin',
  fields: (options: GinFieldOptions) => options.fields,
  // A field named in `fields` is asked for, whatever onlyAnnotated says; onlyAnnotated stops only the type-based guesses.
  selected: (options: GinFieldOptions, model: string, field: string) =>
    options.fields.includes(`${model}.${field}`)
      ? selectedByOptions(options, model, field)
      : !options.onlyAnnotated && selectedByOptions(options, model, field),
  serves: (index: IndexDef) => index.method === 'gin',
} as const satisfies Partial<FieldGinParts<GinFieldOptions>>;

/**
 * A rule with json-gin-index's and array-gin-index's options and selection (`/// @idxgen.gin`, then
 * `fields` / `exclude` / `onlyAnnotated`), for which any GIN index on the column serves the field.
 */
export function ginFieldRule(
  meta: RuleDefinition<typeof GIN_OPTIONS>['meta'],
  parts: Omit<FieldGinParts<GinFieldOptions>, keyof typeof ginSelection>,
): Rule<GinFieldOptions> {
  return fieldGinRule(GIN_OPTIONS, meta, { ...ginSelection, ...parts });
}

/**
 * Evidence: there is no GIN index on the column, why the field was picked (`byDefault` names the
 * fields picked by default), then the measured read (`measuredRead`) and the measured build.
 */
export function ginEvidence(
  target: FieldGinTarget<GinFieldOptions>,
  byDefault: string,
  measuredRead: string,
): string[] {
  const { table, column, annotated, options, indexes, col } = target;
  const why = annotated
    ? `requested by /// @idxgen.gin on ${table.model}.${column.field}`
    : options.fields.includes(`${table.model}.${column.field}`)
      ? 'selected by option fields'
      : `${byDefault} is considered because onlyAnnotated is false (a guess from the type: info at most)`;
  return [
    `no GIN index on ${col} (${indexes.length === 0 ? 'the table has no indexes' : `indexes: ${indexes.map((i) => quoteIdent(i.name)).join(', ')}`})`,
    why,
    measuredRead,
    GIN_BUILD_MEASUREMENT,
  ];
}

/** Whether `Model.field` passes `fields` / `exclude`. */
export function selectedByOptions(options: Partial<FieldSelectionOptions>, model: string, field: string): boolean {
  const name = `${model}.${field}`;
  const exclude = options.exclude ?? [];
  if (exclude.includes(model) || exclude.includes(name)) return false;
  const fields = options.fields ?? [];
  return fields.length === 0 || fields.includes(name);
}

/** `Model.field` entries of `names` that name no field of a writable table in the model. */
export function unknownFieldNames(names: readonly string[], tables: readonly Table[]): string[] {
  return names.filter((name) => {
    const [model, field] = name.split('.');
    const table = tables.find((t) => t.model === model);
    if (!table) return true;
    return field !== undefined && !table.columns.some((c) => c.field === field);
  });
}
