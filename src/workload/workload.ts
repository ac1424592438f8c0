/**
 * The workload: reads the application really makes, from whatever source gave them, as typed
 * `QueryShape`s with how often they ran. Rules propose from it, and the plan confirms or withdraws
 * the proposals that were guessed from names and types.
 */
import type { QueryShape } from '../model/query-shape';

export type WorkloadSource =
  /** A shape recorded by `idxgen/prisma`'s Prisma Client extension. */
  | { kind: 'recorded'; model: string; operation: string; callSites?: string[] };

export interface WorkloadRead {
  shape: QueryShape;
  /** How many calls made this read. */
  calls: number;
  source: WorkloadSource;
}

export interface Workload {
  reads: WorkloadRead[];
  /** The files (or servers) it was read from, for messages. */
  origins: string[];
}

const byTable = new WeakMap<Workload, Map<string, WorkloadRead[]>>();

/** The reads of one table (database name, schema); indexed once per workload. */
export function readsOf(workload: Workload | undefined, table: string, schema: string | undefined): WorkloadRead[] {
  if (!workload) return [];
  let index = byTable.get(workload);
  if (!index) {
    index = new Map();
    for (const read of workload.reads) {
      const key = `${read.shape.schema ?? 'public'}\u0000${read.shape.table}`;
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push(read);
    }
    byTable.set(workload, index);
  }
  return index.get(`${schema ?? 'public'}\u0000${table}`) ?? [];
}
