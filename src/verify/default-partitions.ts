/**
 * Homes for generated rows in partitioned tables (step d). The row generator knows nothing of a
 * table's partition bounds: its timestamps start at 2024-01-01, so a table partitioned by month of
 * 2026 refused every row ("no partition of relation found for row") and verify failed a correct
 * migration. Before the rows load, every partitioned table that has partitions but no DEFAULT one
 * (HASH partitioning aside: it takes every value) gets a DEFAULT partition in the scratch database;
 * PostgreSQL gives it a copy of each of the table's indexes, attached to them, so the planner's
 * choice on it is evidence for the table's index as any partition's is. They are dropped, with
 * their rows, when the step ends, so step e finds the catalog as step b left it.
 */
import type { Client } from 'pg';
import { messageOf, runOne } from './pg';
import { tableSql, verifySql } from './sql';

export interface AddedPartition {
  schema: string;
  /** The partitioned table it was added to. */
  table: string;
  name: string;
}

/** Adds the DEFAULT partitions (see above); a table that refuses one is left as it was, and said. */
export async function addDefaultPartitions(client: Client): Promise<{ added: AddedPartition[]; problems: string[] }> {
  const tables = await runOne<{ schema: string; table: string; oid: string }>(
    client,
    verifySql('partitioned-without-default'),
  );
  const added: AddedPartition[] = [];
  const problems: string[] = [];
  for (const { schema, table, oid } of tables) {
    // Named by the table's oid: unique in the database, and never longer than 63 bytes.
    const name = `idxgen_verify_default_${oid}`;
    try {
      await runOne(
        client,
        verifySql('create-default-partition', { partition: tableSql(name, schema), table: tableSql(table, schema) }),
      );
      added.push({ schema, table, name });
    } catch (error) {
      problems.push(`cannot add a DEFAULT partition to ${table} for the generated rows: ${messageOf(error)}`);
    }
  }
  return { added, problems };
}

/** Drops what addDefaultPartitions added; what cannot be dropped is a problem (step e would differ). */
export async function dropDefaultPartitions(client: Client, added: readonly AddedPartition[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { schema, name } of added) {
    try {
      await runOne(client, verifySql('drop-default-partition', { partition: tableSql(name, schema) }));
    } catch (error) {
      problems.push(`cannot drop the DEFAULT partition ${name} verify added: ${messageOf(error)}`);
    }
  }
  return problems;
}
