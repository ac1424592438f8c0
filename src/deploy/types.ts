/** What deploy and progress report, one event at a time (the JSON format prints them as they are). */

export interface SessionInfo {
  pid: number;
  application: string;
  state: string | null;
  /** Seconds since its transaction (or, outside one, its query) started. */
  ageSeconds: number | null;
  queryStart: string | null;
}

export interface BuildProgress {
  pid: number;
  table: string;
  index: string | null;
  command: string;
  phase: string;
  blocksDone: number;
  blocksTotal: number;
  tuplesDone: number;
  tuplesTotal: number;
  lockersDone: number;
  lockersTotal: number;
  currentLockerPid: number | null;
  /** Done/total of the phase's own counter (blocks, else tuples, else lockers), 0–100; null when the phase has none. */
  percent: number | null;
  /** Sessions this build waits for (pg_blocking_pids and the current locker), with who they are. */
  blockedBy: SessionInfo[];
  runningSeconds: number | null;
  waitEvent: string | null;
}

export interface PlannedBuild {
  index: string | null;
  table: string;
  unique: boolean;
  /** null when the table does not exist yet (an earlier pending folder creates it). */
  tableBytes: number | null;
  /** null also when the table was never analyzed (PostgreSQL has no estimate). */
  rowEstimate: number | null;
  expectedSeconds: number | null;
}

export interface PlannedFolder {
  folder: string;
  builds: PlannedBuild[];
  strongLocks: { table: string; action: string }[];
  /** Can be marked rolled back and retried after a failure (one statement besides SET). */
  atomic: boolean;
}

export type FailureKind = 'cancelled' | 'deadlock' | 'lock-timeout' | 'unique-violation' | 'other';

export interface FolderResult {
  folder: string;
  outcome: 'applied' | 'failed' | 'interrupted';
  seconds: number;
  attempts: number;
  retries: number;
  indexes: { index: string; bytes: number; analyzed: boolean }[];
}

export type DeployEvent =
  | {
      event: 'plan';
      pending: PlannedFolder[];
      oldTransactions: SessionInfo[];
      oldTransactionSeconds: number;
      buildRateMBps: number;
      invalidIndexes: { index: string; table: string; partitioned: boolean }[];
    }
  | { event: 'folder-start'; folder: string; attempt: number; lockTimeoutMs: number | null }
  | { event: 'progress'; folder: string | null; build: BuildProgress }
  | { event: 'build-gone'; folder: string | null; pid: number }
  | { event: 'invalid-index-dropped'; folder: string | null; index: string; table: string }
  | {
      event: 'folder-failed';
      folder: string;
      attempt: number;
      failure: FailureKind;
      sqlstate: string | null;
      message: string;
      duplicateKeys: number | null;
      markedRolledBack: boolean;
      retryInMs: number | null;
    }
  | { event: 'analyze'; folder: string; table: string; index: string }
  | { event: 'folder-done'; result: FolderResult }
  /** `partitioned`: a partitioned table's index waiting for its partitions' indexes, not a failed build. */
  | { event: 'invalid-index-left'; index: string; table: string; partitioned: boolean }
  | {
      event: 'summary';
      outcome: 'applied' | 'nothing-pending' | 'failed' | 'interrupted';
      folders: FolderResult[];
      state: string | null;
      next: string | null;
    };
