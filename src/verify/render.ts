/**
 * The verify report as text (templates/verify/report.text.hbs) or JSON (the report object itself,
 * `version: 1`, see types.ts). Pure.
 */
import { verifyTemplate } from './sql';
import type { StepStatus, VerifyReport, VerifyStep } from './types';

const TITLES: Record<VerifyStep['name'], string> = {
  base: 'a. base    ',
  apply: 'b. apply   ',
  coverage: 'c. coverage',
  evidence: 'd. evidence',
  rollback: 'e. rollback',
  drift: 'f. drift   ',
};

const LABELS: Record<StepStatus, string> = { pass: 'PASS', fail: 'FAIL', skipped: 'SKIP' };

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Detail lines of a step worth showing in text (failures first; passes stay short). */
function stepLines(s: VerifyStep): string[] {
  switch (s.name) {
    case 'base':
      return [
        ...(s.details.recreatedForDrops.length > 0
          ? [`re-created for idxgen's drops: ${s.details.recreatedForDrops.join(', ')}`]
          : []),
        ...(s.details.extensions.length > 0 ? [`extensions: ${s.details.extensions.join(', ')}`] : []),
      ];
    case 'apply':
      return [
        ...s.details.folders
          .filter((f) => !f.ok)
          .map((f) => `${f.folder}: failed${f.error ? ` (${f.error.code} ${f.error.message})` : ''}`),
        ...(s.details.oldPrisma.folders.some((f) => f.result === 'needs-7.4')
          ? [
              `needs Prisma >= 7.4 (--group table): ${s.details.oldPrisma.folders
                .filter((f) => f.result === 'needs-7.4')
                .map((f) => f.folder)
                .join(', ')}`,
            ]
          : []),
      ];
    case 'coverage':
      return s.details.uncovered
        .filter((u) => u.reason !== null)
        .map((u) => `${u.name} (${u.table}.${u.columns.join(', ')}): ${u.reason}`);
    case 'evidence':
      return [
        ...s.details.tables.map(
          (t) =>
            `${t.table}: ${t.rows} of ${t.requested} rows loaded in ${formatMs(t.ms)}${t.error ? ` (${t.error})` : ''}${t.defaultPartition ? ` (rows outside its partitions' bounds went to ${t.defaultPartition}, a DEFAULT partition verify added and dropped afterwards)` : ''}`,
        ),
        ...s.details.indexes.map(
          (i) =>
            `${i.ok ? 'used    ' : 'NOT USED'} ${i.index}: ${i.query || i.shape}${i.ok ? ` -> ${i.indexNodes.join(', ')}` : ''}${i.matching !== null ? ` [${i.matching} of ${i.rows ?? '?'} rows match]` : ''}${i.note && (!i.ok || i.note.startsWith('not chosen')) ? ` (${i.note})` : ''}`,
        ),
      ];
    case 'rollback':
      return s.details.ignored.map((line) => `not compared (the project's own later folders): ${line}`);
    case 'drift': {
      const judged = s.details.judgedBy ? [s.details.judgedBy] : [];
      if (s.status === 'pass')
        return [
          ...judged,
          ...(s.details.preExisting ?? []).map((line) => `the project's own drift (there before idxgen): ${line}`),
        ];
      return [...judged, ...(s.details.diff.trim() !== '' ? s.details.diff.trim().split('\n') : [])];
    }
  }
}

/** The text report; `migrationsDir` shown as given (the CLI passes a cwd-relative path). */
export function renderVerifyText(report: VerifyReport, shownMigrationsDir: string = report.migrationsDir): string {
  const failed = report.steps.filter((s) => s.status !== 'pass');
  const view = {
    server: report.target.serverVersion ? `PostgreSQL ${report.target.serverVersion}` : 'PostgreSQL',
    targetNote: report.target.note,
    database: report.target.database ?? '',
    migrationsDir: shownMigrationsDir,
    folderCounts: `${plural(report.folders.base.length, 'base folder')}, ${plural(report.folders.idxgen.length, 'idxgen folder')}, ${plural(report.folders.project.length, 'later project folder')}`,
    steps: report.steps.map((s) => ({
      label: LABELS[s.status],
      title: TITLES[s.name],
      ms: formatMs(s.ms).padStart(8),
      summary: s.summary,
      lines: stepLines(s),
      problems:
        s.status === 'skipped' && s.problems.length === 1 && s.summary.includes(s.problems[0]!) ? [] : s.problems,
    })),
    ok: report.ok,
    total: `${formatMs(report.totalMs)} in all${report.target.startMs > 0 ? `, ${formatMs(report.target.startMs)} to start PostgreSQL` : ''}`,
    failedText: `${plural(failed.length, 'step')} did not pass: ${failed.map((s) => `${s.name} (${s.status === 'skipped' ? 'skipped' : 'failed'})`).join(', ')}`,
    anySkipped: failed.some((s) => s.status === 'skipped'),
  };
  return verifyTemplate('report.text.hbs')(view);
}

/** The JSON report: the report object, stable key order, LF, final newline. */
export function renderVerifyJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
