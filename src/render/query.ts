/**
 * Query shapes → SQL text: the read a `QueryShape` describes, with the values given for its
 * parameters (verify's evidence step samples them from generated rows). The one place a shape
 * becomes SQL; the statement around it comes from templates/verify/evidence-query.sql.hbs.
 *
 * Values are SQL literals already (`quoteLiteral` output), one per part, in the shape's order.
 */
import type { QueryShape } from '../model/query-shape';
import { quoteIdent } from '../sql/quote';
import { renderPredicateSql } from './predicate';

export interface ShapeValues {
  /** One literal per `equal` column. */
  equal: string[];
  /** One literal per `in` column (a one-element list). */
  in: string[];
  /** Per range: one literal, two for `between`. */
  ranges: string[][];
  /** One literal per operator (the right-hand side of `@>`, `&&`, `?` ...). */
  operators: string[];
  /** One LIKE pattern literal per text match. */
  text: string[];
}

export interface QuerySql {
  /** What follows WHERE ('' when the read has no condition). */
  where: string;
  /** What follows ORDER BY ('' when unordered). */
  orderBy: string;
  /** The LIMIT ('' when none). */
  limit: string;
}

function value(list: readonly string[], k: number, part: string): string {
  const v = list[k];
  if (v === undefined) throw new Error(`no value for ${part} ${k + 1}`);
  return v;
}

/** The WHERE / ORDER BY / LIMIT of the read `shape` describes, with `values` for its parameters. */
export function renderQuerySql(shape: QueryShape, values: ShapeValues): QuerySql {
  const terms: string[] = [];
  shape.equal.forEach((c, k) => terms.push(`${quoteIdent(c)} = ${value(values.equal, k, 'equal')}`));
  shape.in.forEach((c, k) => terms.push(`${quoteIdent(c)} IN (${value(values.in, k, 'in')})`));
  shape.ranges.forEach((r, k) => {
    const v = values.ranges[k] ?? [];
    if (r.op === 'between')
      terms.push(`${quoteIdent(r.column)} BETWEEN ${value(v, 0, 'range')} AND ${value(v, 1, 'range')}`);
    else terms.push(`${quoteIdent(r.column)} ${r.op} ${value(v, 0, 'range')}`);
  });
  shape.operators.forEach((o, k) =>
    terms.push(`${quoteIdent(o.column)} ${o.op} ${value(values.operators, k, 'operator')}`),
  );
  shape.text.forEach((t, k) =>
    terms.push(
      `${quoteIdent(t.column)} ${t.mode === 'insensitive' ? 'ILIKE' : 'LIKE'} ${value(values.text, k, 'text match')}`,
    ),
  );
  if (shape.where) terms.push(`(${renderPredicateSql(shape.where)})`);
  const orderBy = shape.orderBy
    .map(
      (o) =>
        `${quoteIdent(o.column)}${o.direction === 'desc' ? ' DESC' : ''}${o.nulls ? ` NULLS ${o.nulls.toUpperCase()}` : ''}`,
    )
    .join(', ');
  return {
    where: terms.join(' AND '),
    orderBy,
    limit: shape.limit !== undefined ? String(Math.trunc(shape.limit)) : '',
  };
}
