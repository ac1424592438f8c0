/**
 * Indexes on partitioned tables, from what `--database-url` read (src/db/introspect.ts).
 * CREATE INDEX CONCURRENTLY fails on a partitioned table (0A000), and a plain CREATE INDEX on one
 * blocks writes to every partition for the whole build. So an index entry on such a table gets the
 * safe sequence instead (typed steps in src/plan/steps.ts, rendered by src/render/steps.ts):
 *   1. `CREATE INDEX IF NOT EXISTS <name> ON ONLY <parent>`: the parent's index, INVALID, instant;
 *      the same for every sub-partitioned partition;
 *   2. one `CREATE INDEX CONCURRENTLY IF NOT EXISTS` per leaf partition;
 *   3. `ALTER INDEX <parent's index> ATTACH PARTITION <partition's index>` for each, deepest first:
 *      after the last one the parent's index is valid.
 * Sub-partitions are followed down (recursion); a foreign-table partition, a UNIQUE index without
 * the partition key, and dropping an index of a partitioned table are refused with the reason.
 * Pure: the layout is an input.
 */
import type { PartitionLayout, PartitionNode } from '../model/partition-layout';
import { fitWithSuffix, shortHash, utf8ByteLength, POSTGRES_MAX_IDENTIFIER_BYTES } from '../schema/names';
import { partitionedIndexSteps } from './steps';
import type { PartitionIndex, Plan, PlanEntry } from './types';

/** The schema a spec without one lives in (what the session's search_path gives Prisma's tables). */
const DEFAULT_SCHEMA = 'public';

function key(schema: string, name: string): string {
  return `${schema}\u0000${name}`;
}

/**
 * The index name on a partition: the parent index's name with the parent table's name replaced by
 * the partition's (`Event_userId_idx` on `Event_2024` → `Event_2024_userId_idx`), as PostgreSQL and
 * Prisma name indexes. Over 63 bytes it is cut before the suffix and tagged with a hash of what it
 * stood for, so two long partition names never meet in one cut name; a name already used in the
 * partition's schema gets a number, as PostgreSQL does.
 */
export function partitionIndexName(
  parentIndex: string,
  parentTable: string,
  partition: { schema: string; table: string },
  taken: Set<string>,
): string {
  const suffix = /_(idx|key)$/.exec(parentIndex)?.[0] ?? '';
  const stem = parentIndex.slice(0, parentIndex.length - suffix.length);
  const rest = stem.startsWith(`${parentTable}_`) ? stem.slice(parentTable.length + 1) : stem;
  const full = `${partition.table}_${rest}`;
  const base =
    utf8ByteLength(full + suffix) <= POSTGRES_MAX_IDENTIFIER_BYTES
      ? full
      : fitWithSuffix(
          full,
          `_${shortHash(key(partition.schema, full))}`,
          POSTGRES_MAX_IDENTIFIER_BYTES - utf8ByteLength(suffix),
        );
  let name = base + suffix;
  for (let n = 1; taken.has(key(partition.schema, name)); n++) name = fitWithSuffix(base, `${n}${suffix}`);
  taken.add(key(partition.schema, name));
  return name;
}

function walk(node: PartitionNode): PartitionNode[] {
  return node.partitions.flatMap((p) => [p, ...walk(p)]);
}

/** Why an index cannot take the sequence, or undefined when it can. */
function refusal(entry: PlanEntry, node: PartitionNode): string | undefined {
  const spec = entry.spec;
  const where = `"${node.schema}"."${node.table}" is partitioned`;
  if (spec.kind === 'drop-index') {
    return `${where}: DROP INDEX CONCURRENTLY does not work on a partitioned index (0A000), and a plain DROP INDEX takes ACCESS EXCLUSIVE on the table and every partition. Drop ${JSON.stringify(entry.name)} by hand at a quiet moment, with a lock_timeout`;
  }
  if (spec.kind !== 'index') return undefined;
  const foreign = walk(node).find((p) => p.kind === 'foreign');
  if (foreign) {
    return `${where} and its partition "${foreign.schema}"."${foreign.table}" is a foreign table: no index can be built there, so the parent's index would never become valid`;
  }
  if (spec.unique) {
    const levels = [node, ...walk(node).filter((p) => p.kind === 'partitioned')];
    const columns = new Set(spec.columns.map((c) => c.column));
    const missing = levels.find((l) => l.keyColumns === null || l.keyColumns.some((c) => !columns.has(c)));
    if (missing) {
      const keyText =
        missing.keyColumns === null ? 'an expression' : missing.keyColumns.map((c) => `"${c}"`).join(', ');
      return `${where}: a UNIQUE index on it must hold the partition key of "${missing.schema}"."${missing.table}" (${keyText}) among its plain columns, or PostgreSQL refuses it (0A000)`;
    }
  }
  return undefined;
}

/** The partition indexes of `node`, pre-order (a sub-partitioned table's own index before its partitions'). */
function partitionIndexes(
  entry: PlanEntry,
  parentTable: string,
  node: PartitionNode,
  attachTo: PartitionIndex['attachTo'],
  taken: Set<string>,
): PartitionIndex[] {
  return node.partitions.flatMap((p) => {
    const index: PartitionIndex = {
      schema: p.schema,
      table: p.table,
      name: partitionIndexName(entry.name, parentTable, p, taken),
      partitioned: p.kind === 'partitioned',
      attachTo,
    };
    return [
      index,
      ...(index.partitioned
        ? partitionIndexes(entry, parentTable, p, { schema: p.schema, name: index.name }, taken)
        : []),
    ];
  });
}

function countLeaves(node: PartitionNode): number {
  return walk(node).filter((p) => p.kind !== 'partitioned').length;
}

/**
 * Gives every index entry on a partitioned table its safe sequence (`entry.partitioned`, and its
 * SQL), and moves what cannot be built that way to `plan.skipped` with the reason. Returns one
 * line per table for the user: which tables are partitioned and what generate writes for them.
 */
export function planPartitions(plan: Plan, layout: PartitionLayout): string[] {
  const byTable = new Map(layout.partitioned.map((n) => [key(n.schema, n.table), n]));
  const taken = new Set(layout.takenNames);
  for (const entry of plan.entries) taken.add(key(entry.spec.schema ?? DEFAULT_SCHEMA, entry.name));
  const notes = new Map<string, string>();
  const kept: PlanEntry[] = [];
  for (const entry of plan.entries) {
    const node = byTable.get(key(entry.spec.schema ?? DEFAULT_SCHEMA, entry.spec.table));
    const spec = entry.spec;
    if (!node || spec.kind === 'check') {
      kept.push(entry);
      continue;
    }
    const refused = refusal(entry, node);
    if (refused !== undefined) {
      plan.skipped.push({ proposal: entry.proposal, reason: refused });
      continue;
    }
    if (spec.kind !== 'index') {
      kept.push(entry);
      continue;
    }
    const indexes = partitionIndexes(entry, spec.table, node, { schema: node.schema, name: entry.name }, taken);
    entry.partitioned = { schema: node.schema, indexes };
    entry.steps = partitionedIndexSteps(spec, entry.name, entry.partitioned);
    const leaves = countLeaves(node);
    const how =
      indexes.length === 0
        ? 'so the index is created ON ONLY the table, valid at once (a partition added later gets its own copy from PostgreSQL)'
        : 'so the index is built ON ONLY the parent, CONCURRENTLY on each partition, then attached';
    const why =
      `"${node.schema}"."${node.table}" is partitioned (${leaves} partition${leaves === 1 ? '' : 's'}${indexes.some((i) => i.partitioned) ? ', some of them partitioned again' : ''}, read from the database): ` +
      `CREATE INDEX CONCURRENTLY fails on a partitioned table, ${how}`;
    entry.evidence.push(why);
    notes.set(key(node.schema, node.table), why);
    kept.push(entry);
  }
  plan.entries = kept;
  return [...notes.values()];
}
