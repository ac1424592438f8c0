/**
 * check-constraint: proposes CHECK constraints that PostgreSQL enforces and Prisma cannot declare.
 *
 * Sources, in this order:
 * 1. `/// @idxgen.check(<expr>)` on a field or a model (validated by src/sql/check-expression.ts;
 *    an invalid expression is an annotation error from `parseAnnotations`, never a proposal);
 * 2. heuristics, each switchable under `heuristics`:
 *    - nonNegativeCounters (on): Int / BigInt fields named like a count (`commentCount`,
 *      `view_count`, `count`: the last word is "count") or a number of tries (`attempts`,
 *      `loginAttempts`, `job_retries`). A count below zero is always a bug (a racing decrement, a
 *      bad backfill); no other meaning fits the name. Names with a word that announces a limit or
 *      a signed or money amount are left out (max, min, limit, cap, threshold, quota, target,
 *      delta, diff, change, net, offset, balance, adjust, amount: `maxRetryCount`,
 *      `cliMaxShowCount`, `tippedAmountCount`), and so is a field whose default is negative (a
 *      sentinel such as -1 = unlimited). `discount` and `account` are single words, not counts.
 *    - nonNegativeQuantities (off): Int / BigInt / Decimal / Float fields named `quantity`, `qty`,
 *      `…Quantity`, `…Qty`. Off by default: order lines, stock movements and ledger entries use
 *      negative quantities for returns and corrections, so the name alone does not prove the rule.
 *    Money-like names (`balance`, `amount`, `total`) are never guessed: they go negative
 *    legitimately (refunds, overdrafts, credits).
 *    A heuristic never fires on a column that a one-column `@idxgen.check` already constrains.
 *
 * Names: `{table}_{column}_check` (PostgreSQL's own default for a one-column CHECK) or
 * `{table}_{col1}_{col2}_check` for several columns (PostgreSQL would say `{table}_check`; naming
 * the columns keeps several table checks apart), fitted to 63 bytes by src/schema/names.ts; a
 * second constraint with the same name gets `_check1`, `_check2`, … like PostgreSQL's
 * ChooseConstraintName.
 */
import type { Column, Table } from '../model/types';
import { defaultConstraintName } from '../schema/names';
import { renderCheckExpression, type CheckExpr } from '../sql/check-expression';
import { quoteIdent, quoteLiteral } from '../sql/quote';
import { parseAnnotations, type CheckAnnotation } from './annotations';
import { tableRef } from './coverage';
import { defineRule } from './define-rule';
import { option, type OptionsOf } from './rule-options';
import { DEFAULT_CHECK_LOCK_TIMEOUT_MS, type CheckSpec, type Proposal } from './types';

const OPTIONS = {
  heuristics: option.object({
    /** Int/BigInt counters (`…Count`, `attempts`, `retries`) must be >= 0. Default on. */
    nonNegativeCounters: option.boolean(true),
    /** Quantities (`quantity`, `qty`, `…Quantity`) must be >= 0. Default off (returns and corrections are negative). */
    nonNegativeQuantities: option.boolean(false),
  }),
  /**
   * Milliseconds the NOT VALID step may wait for its ACCESS EXCLUSIVE lock (behind an open
   * transaction on the table) before it fails, instead of queueing every query on the table.
   */
  lockTimeoutMs: option.integer(DEFAULT_CHECK_LOCK_TIMEOUT_MS, { min: 1, max: 600000 }),
};

export type CheckConstraintOptions = OptionsOf<typeof OPTIONS>;
export type CheckConstraintHeuristics = CheckConstraintOptions['heuristics'];

const MEASURED =
  'measured (PG 15, 1M rows, 200 inserts/s): adding a CHECK in one statement held inserts up to 407 ms; NOT VALID then VALIDATE as two statements, 25.7 ms';

type Candidate = {
  table: Table;
  columns: string[];
  expr: CheckExpr;
  sql: string;
  span: Proposal['span'];
  evidence: string[];
  title: string;
  annotation?: CheckAnnotation;
  /** A naming heuristic (a guess: info at most) rather than an annotation. */
  guess?: boolean;
};

export const rule = defineRule({
  options: OPTIONS,
  valueStyle: 'json',
  meta: {
    id: 'check-constraint',
    summary:
      'Propose CHECK constraints from /// @idxgen.check annotations and from conservative naming heuristics (counters cannot be negative).',
    defaultSeverity: 'warn',
    basis: 'request',
    docs: {
      problem:
        'Prisma cannot declare CHECK constraints, so the rules a column obeys live only in application code. One racing decrement, backfill script or manual fix stores a negative counter or a progress of 5000, and every reader inherits it.',
      proposal:
        'A CHECK constraint, added in two statements: ADD CONSTRAINT ... NOT VALID (a brief lock, no scan), then VALIDATE CONSTRAINT (scans without blocking writes). Sources: /// @idxgen.check(<expr>) on a field or model, and heuristics: nonNegativeCounters (on: Int fields named like a count or a number of attempts), nonNegativeQuantities (off: returns and corrections use negative quantities). Prisma ignores CHECK constraints in drift detection, so they stay in migration.sql only.',
      bad: [
        'model Job {',
        '  id         Int @id @default(autoincrement())',
        '  retryCount Int @default(0)',
        '  progress   Int @default(0)',
        '}',
      ].join('\n'),
      good: [
        'model Job {',
        '  id         Int @id @default(autoincrement())',
        '  retryCount Int @default(0)',
        '  /// @idxgen.check(progress BETWEEN 0 AND 100)',
        '  progress   Int @default(0)',
        '}',
        '-- migration.sql (idxgen):',
        'ALTER TABLE "Job" ADD CONSTRAINT "Job_retryCount_check" CHECK ("retryCount" >= 0) NOT VALID;',
        '-- next migration:',
        'ALTER TABLE "Job" VALIDATE CONSTRAINT "Job_retryCount_check";',
      ].join('\n'),
    },
  },

  check(ctx) {
    const { heuristics, lockTimeoutMs } = ctx.options;
    const { annotations } = parseAnnotations(ctx.model);
    const proposals: Omit<Proposal, 'severity'>[] = [];
    for (const table of ctx.tables) {
      const candidates: Candidate[] = [];
      const checks = annotations.checks.filter((a) => a.model === table.model);
      // Field-level annotations first, in field order, then model-level ones.
      const ordered =
        checks.length === 0
          ? checks
          : [
              ...table.columns.flatMap((c) => checks.filter((a) => a.field === c.field)),
              ...checks.filter((a) => a.field === undefined),
            ];
      for (const a of ordered) {
        candidates.push({
          table,
          columns: a.columns,
          expr: a.expr,
          sql: a.sql,
          span: a.span,
          annotation: a,
          title: `${a.field ? `${table.model}.${a.field}` : `Model ${table.model}`} asks for CHECK (${a.sql}), which Prisma cannot declare`,
          evidence: [
            `/// @idxgen.check(${a.source}) on ${a.field ? `${table.model}.${a.field}` : `model ${table.model}`}`,
          ],
        });
      }
      // A one-column annotated check replaces the heuristic on that column; a multi-column one
      // (retryCount <= maxRetries) says nothing about its sign, so the heuristic still applies.
      const constrained = new Set(checks.filter((a) => a.columns.length === 1).flatMap((a) => a.columns));
      for (const column of table.columns) {
        if (constrained.has(column.name)) continue;
        const heuristic = matchHeuristic(column, heuristics);
        if (!heuristic) continue;
        const expr = nonNegative(column);
        candidates.push({
          table,
          columns: [column.name],
          expr,
          sql: renderCheckExpression(expr),
          span: column.span,
          guess: true,
          title: `${heuristic.what} ${table.model}.${column.field} can be stored negative`,
          evidence: [
            `${table.model}.${column.field} is ${column.type}${column.default !== undefined ? ` @default(${column.default})` : ''} and ${heuristic.why}`,
            `heuristic ${heuristic.id} (${heuristic.id === 'nonNegativeCounters' ? 'on' : 'off'} by default; switch with heuristics.${heuristic.id})`,
          ],
        });
      }
      const used = new Set<string>();
      for (const c of candidates) {
        const name = constraintName(table.name, c.columns, used);
        const spec: CheckSpec = {
          kind: 'check',
          table: table.name,
          ...(table.schema !== undefined ? { schema: table.schema } : {}),
          name,
          expression: c.sql,
          columns: c.columns,
          lockTimeoutMs,
        };
        const example = violatingExample(c.expr);
        const subject = example ? `a write of ${example}` : `a row that breaks (${c.sql}) from being written`;
        proposals.push({
          ruleId: 'check-constraint',
          spec,
          serves: [],
          model: table.model,
          span: c.span,
          ...(c.guess ? { basis: 'guess' as const } : {}),
          evidence: [...c.evidence, `canonical form: CHECK (${c.sql})`, MEASURED],
          message: {
            title: c.title,
            cost: `Nothing stops ${subject} today: the application is the only guard, and one racing update, backfill or manual fix stores it silently for every reader to trip over.`,
            instead: `Add ${quoteIdent(name)} NOT VALID (a brief lock, no scan), then VALIDATE CONSTRAINT in a separate statement (it scans while writes continue, whereas in one statement the scan blocks writes). Prisma cannot declare CHECK constraints and ignores them when it checks for drift, so the constraint lives only in migration.sql.`,
            serves: `every INSERT or UPDATE of ${tableRef(table)} that writes ${c.columns.map(quoteIdent).join(', ')}: a violating row fails with SQLSTATE 23514 (check_violation) instead of being stored`,
          },
        });
      }
    }
    return proposals;
  },
});

// ------------------------------------------------------------------------------------------------

/** `{table}_{cols}_check`, then `_check1`, `_check2`, … when taken. */
function constraintName(table: string, columns: readonly string[], used: Set<string>): string {
  for (let n = 0; ; n++) {
    const name = defaultConstraintName(table, columns, n === 0 ? '_check' : `_check${n}`);
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
}

interface HeuristicMatch {
  id: keyof CheckConstraintHeuristics;
  what: string;
  why: string;
}

/** Words that make a count-like name a limit or a signed quantity (`maxRetryCount`, `deltaCount`, `tippedAmountCount`). */
const EXCLUDING_WORDS = new Set([
  'max',
  'maximum',
  'min',
  'minimum',
  'limit',
  'cap',
  'threshold',
  'quota',
  'target',
  'delta',
  'diff',
  'difference',
  'change',
  'net',
  'offset',
  'balance',
  'adjust',
  'adjustment',
  'amount',
]);

/** Names whose last word (by `nameWords`) can be one a heuristic reads: count, attempts, retries, quantity, qty. */
const LAST_WORDS_READ = /(?:count|attempts|retries|quantity|qty)[^A-Za-z0-9]*$/i;

/** `retryCount` → [retry, count]; `view_count` → [view, count]; `URLCount` → [url, count]. */
export function nameWords(name: string): string[] {
  return (name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? []).map((w) => w.toLowerCase());
}

/** Which heuristic, if any, says `column` must be >= 0. Exported for tests. */
export function matchHeuristic(column: Column, heuristics: CheckConstraintHeuristics): HeuristicMatch | undefined {
  if (column.kind !== 'scalar' || column.list) return undefined;
  const integer = column.type === 'Int' || column.type === 'BigInt';
  const counters = heuristics.nonNegativeCounters && integer;
  const quantities =
    heuristics.nonNegativeQuantities && (integer || column.type === 'Decimal' || column.type === 'Float');
  // Most columns are of no type a heuristic reads: their names are not split into words.
  if (!counters && !quantities) return undefined;
  if (column.default !== undefined && /^\s*-/.test(column.default)) return undefined;
  const names = column.name === column.field ? [column.field] : [column.field, column.name];
  // Every heuristic reads the name's last word: a name that cannot end in one is not split into words.
  if (!names.some((n) => LAST_WORDS_READ.test(n))) return undefined;
  const split = names.map((n) => ({ name: n, words: nameWords(n) }));
  if (split.some((s) => s.words.some((w) => EXCLUDING_WORDS.has(w)))) return undefined;
  const last = (words: string[]) => words[words.length - 1] ?? '';
  if (counters) {
    const counter = split.find((s) => last(s.words) === 'count');
    if (counter)
      return {
        id: 'nonNegativeCounters',
        what: 'Counter',
        why: `its name ${JSON.stringify(counter.name)} says it counts something, and a count cannot be negative`,
      };
    const tries = split.find((s) => ['attempts', 'retries'].includes(last(s.words)));
    if (tries)
      return {
        id: 'nonNegativeCounters',
        what: 'Counter',
        why: `its name ${JSON.stringify(tries.name)} counts tries, which cannot be negative`,
      };
  }
  if (quantities) {
    const quantity = split.find((s) => ['quantity', 'qty'].includes(last(s.words)));
    if (quantity)
      return {
        id: 'nonNegativeQuantities',
        what: 'Quantity',
        why: `its name ${JSON.stringify(quantity.name)} says it is a quantity`,
      };
  }
  return undefined;
}

function nonNegative(column: Column): CheckExpr {
  const number = { kind: 'number', text: '0', offset: 0, type: { kind: 'number' } } as const;
  return {
    kind: 'compare',
    op: '>=',
    left: { kind: 'column', column: column.name, field: column.field, offset: 0, type: { kind: 'number' } },
    right: number,
    offset: 0,
    type: { kind: 'bool' },
  };
}

// ------------------------------------------------------------------------------------------------
// A concrete write the constraint would reject, for the message ("a write of "progress" = 101").

function numberValue(expr: CheckExpr): number | undefined {
  if (expr.kind === 'number') return Number(expr.text);
  if (expr.kind === 'negate') {
    const inner = numberValue(expr.operand);
    return inner === undefined ? undefined : -inner;
  }
  return undefined;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(6)));
}

/** `"col" = <value>` that violates `expr`, for the simple shapes; undefined otherwise. Exported for tests. */
export function violatingExample(expr: CheckExpr): string | undefined {
  switch (expr.kind) {
    case 'logical':
      if (expr.op === 'AND') {
        for (const operand of expr.operands) {
          const example = violatingExample(operand);
          if (example) return example;
        }
      }
      return undefined;
    case 'compare': {
      let { left, right, op } = expr;
      if (left.kind !== 'column' && right.kind === 'column') {
        [left, right] = [right, left];
        op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '<>': '<>' } as const)[op];
      }
      if (left.kind !== 'column') return undefined;
      const n = numberValue(right);
      const col = quoteIdent(left.column);
      if (n !== undefined) {
        const step = Number.isInteger(n) ? 1 : 0.5;
        const bad = { '>=': n - step, '>': n, '<=': n + step, '<': n, '=': n + step, '<>': n }[op];
        return `${col} = ${formatNumber(bad)}`;
      }
      if (right.kind === 'string' && op === '<>') return `${col} = ${quoteLiteral(right.value)}`;
      return undefined;
    }
    case 'between': {
      if (expr.operand.kind !== 'column' || expr.negated) return undefined;
      const high = numberValue(expr.high);
      if (high === undefined) return undefined;
      return `${quoteIdent(expr.operand.column)} = ${formatNumber(high + (Number.isInteger(high) ? 1 : 0.5))}`;
    }
    case 'in': {
      if (expr.operand.kind !== 'column') return undefined;
      const col = quoteIdent(expr.operand.column);
      if (expr.negated) {
        const first = expr.list[0]!;
        return `${col} = ${renderCheckExpression(first)}`;
      }
      const type = expr.operand.type;
      if (type.kind === 'enum' && type.values) {
        const listed = new Set(expr.list.map((e) => (e.kind === 'string' ? e.value : '')));
        const other = type.values.find((v) => !listed.has(v.dbName));
        return other ? `${col} = ${quoteLiteral(other.dbName)}` : undefined;
      }
      if (expr.list.every((e) => e.kind === 'string')) {
        const listed = new Set(expr.list.map((e) => (e.kind === 'string' ? e.value : '')));
        const other = ['', 'other', 'unknown'].find((v) => !listed.has(v));
        return other !== undefined ? `${col} = ${quoteLiteral(other)}` : undefined;
      }
      return undefined;
    }
    case 'is':
      if (expr.operand.kind === 'column' && expr.test === 'NULL' && expr.negated)
        return `${quoteIdent(expr.operand.column)} = NULL`;
      return undefined;
    default:
      return undefined;
  }
}
