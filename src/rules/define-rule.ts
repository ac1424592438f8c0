/**
 * How a rule is made: its metadata, its option shape (declared once: kind, default and doc per
 * option, see rule-options.ts), and a pure `check`. The options type, the defaults, RULES.md's
 * option lines and the config checker all come from the shape, and the rule comes back both typed
 * (`Rule<OptionsOf<S>>`, for its tests) and as a `RegisteredRule` (for the registry, which does not
 * know any rule's options type).
 */
import {
  defaultsOf,
  docsOf,
  parseOptions,
  validateShape,
  type OptionShape,
  type OptionsOf,
  type ValueStyle,
} from './rule-options';
import type { Table } from '../model/types';
import { modelTables } from './coverage';
import type { Proposal, Rule, RuleContext, RuleDiagnostic, RuleMeta } from './types';

export interface RuleDefinition<S extends OptionShape> {
  meta: Omit<RuleMeta<OptionsOf<S>>, 'defaultOptions' | 'optionDocs' | 'validateOptions'>;
  /** The options: name → kind, default, doc. `{}` for a rule without options. */
  options: S;
  /** How wrong values are quoted in the rule's option messages (default 'typed'). */
  valueStyle?: ValueStyle;
  check(ctx: RuleContext<OptionsOf<S>>): Omit<Proposal, 'severity'>[];
  diagnose?(ctx: RuleContext<OptionsOf<S>>): RuleDiagnostic[];
}

export function defineRule<S extends OptionShape>(def: RuleDefinition<S>): Rule<OptionsOf<S>> {
  const { options: shape, valueStyle = 'typed', check, diagnose } = def;
  const parse = (raw: unknown) => parseOptions(shape, raw, valueStyle);
  const bind = (raw: unknown): OptionsOf<S> => {
    const parsed = parse(raw);
    if ('problems' in parsed)
      throw new Error(`${def.meta.id}: options the config reader should have refused: ${parsed.problems.join('; ')}`);
    return parsed.options;
  };
  const optionDocs = docsOf(shape);
  return {
    meta: {
      ...def.meta,
      defaultOptions: defaultsOf(shape),
      ...(optionDocs ? { optionDocs } : {}),
      validateOptions: (raw) => validateShape(raw, shape, valueStyle),
    },
    parseOptions: parse,
    check,
    ...(diagnose ? { diagnose } : {}),
    run: (input, raw) => check({ ...input, options: bind(raw) }),
    diagnoseWith: (input, raw) => diagnose?.({ ...input, options: bind(raw) }) ?? [],
  };
}

/**
 * The `check` of a rule that looks at one table at a time: `propose` on each table a rule looks at
 * (`modelTables`: real models, not views, not `@@ignore`d), the proposals in table order.
 */
export function eachModelTable<Options>(
  propose: (table: Table, ctx: RuleContext<Options>) => Omit<Proposal, 'severity'>[],
): (ctx: RuleContext<Options>) => Omit<Proposal, 'severity'>[] {
  return (ctx) => modelTables(ctx.tables).flatMap((table) => propose(table, ctx));
}
