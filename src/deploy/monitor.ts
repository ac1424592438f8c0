/**
 * Reads the index builds running in a database (pg_stat_progress_create_index) and who blocks
 * them (pg_blocking_pids, the build's current locker), from a connection of its own.
 */
import type { Client } from 'pg';
import { deploySql } from '../render/deploy';
import type { BuildProgress, SessionInfo } from './types';

interface ProgressRow {
  pid: number;
  table: string;
  index: string | null;
  command: string;
  phase: string;
  blocks_total: number | null;
  blocks_done: number | null;
  tuples_total: number | null;
  tuples_done: number | null;
  lockers_total: number | null;
  lockers_done: number | null;
  current_locker_pid: number | null;
  blocking_pids: number[] | null;
  running_s: number | null;
  wait_event_type: string | null;
  wait_event: string | null;
}

interface SessionRow {
  pid: number;
  application_name: string | null;
  state: string | null;
  age_s: number | null;
  query_start: Date | null;
}

export function toSessionInfo(row: SessionRow): SessionInfo {
  return {
    pid: row.pid,
    application: row.application_name ?? '',
    state: row.state,
    ageSeconds: row.age_s === null ? null : Math.round(row.age_s * 10) / 10,
    queryStart: row.query_start ? row.query_start.toISOString() : null,
  };
}

/** Done/total of the counter the phase advances, in percent. */
export function phasePercent(
  p: Pick<BuildProgress, 'blocksDone' | 'blocksTotal' | 'tuplesDone' | 'tuplesTotal' | 'lockersDone' | 'lockersTotal'>,
): number | null {
  const pct = (done: number, total: number) => Math.min(100, Math.round((done / total) * 1000) / 10);
  if (p.blocksTotal > 0) return pct(p.blocksDone, p.blocksTotal);
  if (p.tuplesTotal > 0) return pct(p.tuplesDone, p.tuplesTotal);
  if (p.lockersTotal > 0) return pct(p.lockersDone, p.lockersTotal);
  return null;
}

/** One reading of every build (of backends named `applicationName`, or all when null). */
export async function readBuilds(client: Client, applicationName: string | null): Promise<BuildProgress[]> {
  // A named (prepared) statement: parsed and planned once per connection, not at every reading.
  const rows = (
    await client.query<ProgressRow>({
      name: 'idxgen_build_progress',
      text: deploySql('progress'),
      values: [applicationName],
    })
  ).rows;
  const blockerPids = [
    ...new Set(
      rows.flatMap((r) => [...(r.blocking_pids ?? []), ...(r.current_locker_pid ? [r.current_locker_pid] : [])]),
    ),
  ];
  const sessions = new Map<number, SessionInfo>();
  if (blockerPids.length > 0) {
    for (const row of (await client.query<SessionRow>(deploySql('sessions'), [blockerPids])).rows)
      sessions.set(row.pid, toSessionInfo(row));
  }
  return rows.map((r) => {
    const n = (v: number | null) => v ?? 0;
    const blockers = [
      ...new Set([...(r.blocking_pids ?? []), ...(r.current_locker_pid ? [r.current_locker_pid] : [])]),
    ];
    const build: BuildProgress = {
      pid: r.pid,
      table: r.table,
      index: r.index,
      command: r.command,
      phase: r.phase,
      blocksDone: n(r.blocks_done),
      blocksTotal: n(r.blocks_total),
      tuplesDone: n(r.tuples_done),
      tuplesTotal: n(r.tuples_total),
      lockersDone: n(r.lockers_done),
      lockersTotal: n(r.lockers_total),
      currentLockerPid: r.current_locker_pid,
      percent: null,
      blockedBy: blockers.map(
        (pid) => sessions.get(pid) ?? { pid, application: '', state: null, ageSeconds: null, queryStart: null },
      ),
      runningSeconds: r.running_s === null ? null : Math.round(r.running_s * 10) / 10,
      waitEvent: r.wait_event_type ? `${r.wait_event_type}:${r.wait_event ?? ''}` : null,
    };
    build.percent = phasePercent(build);
    return build;
  });
}

/** Transactions older than `seconds` in this database (a CONCURRENTLY build waits for them). */
export async function readOldTransactions(client: Client, seconds: number): Promise<SessionInfo[]> {
  return (await client.query<SessionRow>(deploySql('old-transactions'), [seconds])).rows.map(toSessionInfo);
}

export interface Poller {
  /** Stops polling and waits for a reading in flight. */
  stop(): Promise<void>;
}

/**
 * Reads the builds every `intervalMs` and hands each reading to `onReading`. Readings never
 * overlap; a failed reading is passed to `onError` and polling goes on.
 */
export function startPoller(
  client: Client,
  applicationName: string | null,
  intervalMs: number,
  onReading: (builds: BuildProgress[]) => void,
  onError: (error: unknown) => void = () => undefined,
): Poller {
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    if (stopped) return;
    inFlight = readBuilds(client, applicationName)
      .then((builds) => {
        if (!stopped) onReading(builds);
      }, onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, Math.min(intervalMs, 100));
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
