/** Deploy and progress events as text lines (CI logs, and the lines around a TTY bar). */
import type { BuildProgress, DeployEvent, SessionInfo } from './types';

const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) ((v /= 1024), u++);
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function session(s: SessionInfo): string {
  const parts = [`pid ${s.pid}`];
  if (s.application) parts.push(`application ${JSON.stringify(s.application)}`);
  if (s.state) parts.push(s.state);
  if (s.ageSeconds !== null) parts.push(`open ${s.ageSeconds} s`);
  if (s.queryStart) parts.push(`query started ${s.queryStart}`);
  return parts.join(', ');
}

/** One line for one reading of one build. */
export function progressLine(folder: string | null, b: BuildProgress): string {
  const what = `${b.index ?? '(index)'} on ${b.table}`;
  const pct = b.percent === null ? '' : ` ${b.percent.toFixed(1)}%`;
  const counters = `blocks ${int(b.blocksDone)}/${int(b.blocksTotal)}, tuples ${int(b.tuplesDone)}/${int(b.tuplesTotal)}, lockers ${int(b.lockersDone)}/${int(b.lockersTotal)}`;
  const blocked = b.blockedBy.length > 0 ? `; waiting for ${b.blockedBy.map(session).join('; ')}` : '';
  const running = b.runningSeconds === null ? '' : `, ${b.runningSeconds} s`;
  return `${folder ? `${folder}: ` : ''}pid ${b.pid} ${what}: ${b.phase}${pct} (${counters}${running})${blocked}`;
}

/** The text of an event, or null for events shown only by the bar (none are: every event has text). */
export function eventText(e: DeployEvent): string {
  switch (e.event) {
    case 'plan': {
      const lines = [
        `${e.pending.length} pending ${e.pending.length === 1 ? 'folder' : 'folders'}${e.pending.length > 0 ? ':' : '.'}`,
      ];
      for (const f of e.pending) {
        const steps: string[] = [];
        for (const b of f.builds) {
          const size =
            b.tableBytes === null
              ? 'table created by an earlier pending folder'
              : `table ${formatBytes(b.tableBytes)}, ${b.rowEstimate === null ? 'rows unknown (never analyzed)' : `~${int(b.rowEstimate)} rows`}, expected ~${b.expectedSeconds} s at ${e.buildRateMBps} MB/s`;
          steps.push(`${b.unique ? 'unique ' : ''}index ${b.index ?? '(unnamed)'} on ${b.table}: ${size}`);
        }
        for (const s of f.strongLocks)
          steps.push(`${s.action} on ${s.table}: ACCESS EXCLUSIVE lock for an instant, under lock_timeout`);
        lines.push(`  ${f.folder}${steps.length > 0 ? `\n${steps.map((s) => `    ${s}`).join('\n')}` : ''}`);
      }
      if (e.oldTransactions.length > 0) {
        lines.push(
          `Transactions open for more than ${e.oldTransactionSeconds} s (a CONCURRENTLY build waits for each to end):`,
        );
        for (const t of e.oldTransactions) lines.push(`  ${session(t)}`);
      }
      if (e.invalidIndexes.length > 0) {
        lines.push(
          'INVALID indexes already in the database (left by a failed build; they slow writes and serve no query):',
        );
        for (const i of e.invalidIndexes)
          lines.push(
            `  ${i.index} on ${i.table}${i.partitioned ? " (a partitioned table's index: valid once each partition has an index attached to it)" : ''}`,
          );
      }
      return lines.join('\n');
    }
    case 'folder-start':
      return `${e.folder}: applying${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${e.lockTimeoutMs ? ` under lock_timeout ${e.lockTimeoutMs} ms` : ''}`;
    case 'progress':
      return progressLine(e.folder, e.build);
    case 'build-gone':
      return `${e.folder ? `${e.folder}: ` : ''}pid ${e.pid}: build ended`;
    case 'invalid-index-dropped':
      return `${e.folder ? `${e.folder}: ` : ''}dropped the INVALID index ${e.index} on ${e.table} (DROP INDEX CONCURRENTLY)`;
    case 'folder-failed': {
      const dup =
        e.duplicateKeys === null
          ? ''
          : `; ${int(e.duplicateKeys)} duplicate key ${e.duplicateKeys === 1 ? 'value' : 'values'}`;
      const rb = e.markedRolledBack ? '; marked rolled back' : '';
      const next = e.retryInMs === null ? '' : `; retrying in ${e.retryInMs} ms`;
      return `${e.folder}: attempt ${e.attempt} failed: ${e.failure}${e.sqlstate ? ` (${e.sqlstate})` : ''}: ${e.message}${dup}${rb}${next}`;
    }
    case 'analyze':
      return `${e.folder}: ANALYZE ${e.table}: ${e.index} indexes expressions, and the planner has no statistics on them until the table is analyzed`;
    case 'folder-done': {
      const r = e.result;
      const idx = r.indexes.map((i) => `${i.index} ${formatBytes(i.bytes)}`).join(', ');
      return `${r.folder}: applied in ${r.seconds} s${idx ? ` (${idx})` : ''}${r.retries > 0 ? `, ${r.retries} ${r.retries === 1 ? 'retry' : 'retries'}` : ''}`;
    }
    case 'invalid-index-left':
      return e.partitioned
        ? `INVALID index left in the database: ${e.index} on ${e.table}, a partitioned table's index, valid once each partition has an index attached to it. Pending folders that attach them finish it (idxgen deploy); for a partition they do not cover: CREATE INDEX CONCURRENTLY on it, then ALTER INDEX ${e.index} ATTACH PARTITION <that index>;`
        : `INVALID index left in the database: ${e.index} on ${e.table}. Drop it: DROP INDEX CONCURRENTLY IF EXISTS ${e.index};`;
    case 'summary': {
      const lines: string[] = [];
      if (e.folders.length > 0) {
        lines.push('folder | outcome | time | index size | retries');
        for (const f of e.folders) {
          const size = f.indexes.length > 0 ? f.indexes.map((i) => formatBytes(i.bytes)).join(' + ') : '-';
          lines.push(`${f.folder} | ${f.outcome} | ${f.seconds} s | ${size} | ${f.retries}`);
        }
      }
      const head: Record<typeof e.outcome, string> = {
        applied: 'All pending migrations are applied.',
        'nothing-pending': 'No pending migration.',
        failed: 'Deploy stopped.',
        interrupted: 'Deploy interrupted.',
      };
      lines.push(head[e.outcome]);
      if (e.state) lines.push(`State: ${e.state}`);
      if (e.next) lines.push(`Next: ${e.next}`);
      return lines.join('\n');
    }
  }
}
