/**
 * A table the database has partitioned (relkind 'p'), read from pg_class / pg_inherits /
 * pg_partitioned_table. Names are the database's: hostile input like any other.
 */
export interface PartitionNode {
  schema: string;
  table: string;
  /** `table` a plain partition (relkind 'r'), `partitioned` itself partitioned ('p'), `foreign` a foreign table ('f'). */
  kind: 'table' | 'partitioned' | 'foreign';
  /** The partition key's plain columns (partitioned nodes); null when the key holds an expression. */
  keyColumns: string[] | null;
  /** Its partitions (partitioned nodes), sorted by schema then name. */
  partitions: PartitionNode[];
}

export interface PartitionLayout {
  /** Every partitioned table, sub-partitioned ones included (each also appears in its parent's tree). */
  partitioned: PartitionNode[];
  /** Relation names (`schema` NUL `name`) already used in the schemas that hold partitions. */
  takenNames: Set<string>;
}
