/**
 * Database names Prisma 7.10 itself cannot migrate, and the sentence verify adds when a step
 * fails because of them: the failure is Prisma's, and `prisma migrate` would hit it too.
 *
 * - A `"` in a name: the schema engine writes the name between quotes without doubling the `"`,
 *   so its from-empty SQL (what `prisma migrate dev` writes) does not parse.
 * - A `;` in a name: Prisma ≥ 7.4 cuts migration.sql at every `;`, even inside a quoted name, so
 *   a migration that spells the name plainly fails in `prisma migrate deploy`. idxgen's own files
 *   write such names as `U&"…\003B…"`.
 */
import type { SchemaModel } from '../model/types';

function databaseNames(model: SchemaModel): string[] {
  return model.tables
    .filter((t) => !t.ignored && t.kind !== 'view')
    .flatMap((t) => [t.name, ...t.columns.map((c) => c.name)]);
}

function namesHolding(model: SchemaModel, char: string): string[] {
  return [...new Set(databaseNames(model).filter((n) => n.includes(char)))].sort();
}

const listed = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');

/** Why the synthetic base (Prisma's from-empty SQL) failed, when a name holds a `"`. */
export function fromEmptyHint(model: SchemaModel): string | undefined {
  const names = namesHolding(model, '"');
  if (names.length === 0) return undefined;
  return (
    `Prisma's from-empty SQL quotes ${listed(names)} without doubling the " inside, so PostgreSQL cannot parse it ` +
    `(\`prisma migrate dev\` writes the same broken statement). Instead, commit the migration that created these tables, ` +
    `with each " written as "", before idxgen's folders: verify builds the base from it.`
  );
}

/** Why Prisma could not replay the migrations, when a name holds a `;`. */
export function replayHint(model: SchemaModel): string | undefined {
  const names = namesHolding(model, ';');
  if (names.length === 0) return undefined;
  return (
    `Prisma ≥ 7.4 cuts migration.sql at every ";", even inside the quoted names ${listed(names)}, ` +
    `so \`prisma migrate deploy\` fails on that migration the same way. idxgen's own files write these names as U&"…\\003B…"; ` +
    `a migration of yours that spells them plainly needs the same form before Prisma ≥ 7.4 can apply it.`
  );
}
