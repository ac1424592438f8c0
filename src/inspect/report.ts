/** `idxgen inspect` report: text (findings first, then the facts) or JSON (the whole report). */
import type { InspectReport } from './introspect-compare';
import { LEVELS } from '../rules/types';

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function inspectJson(report: InspectReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function inspectText(report: InspectReport): string {
  const lines: string[] = [];
  for (const s of report.servers) {
    lines.push(
      `server ${s.server}: PostgreSQL ${s.version}; statistics since ${s.statsSince} (${s.statsWereReset ? 'last reset' : 'server start'}), ${s.statsAgeDays.toFixed(1)} days`,
    );
  }
  lines.push('');
  for (const f of report.findings) {
    const what =
      'index' in f
        ? `${f.schema}.${f.table} ${f.index}`
        : 'constraint' in f
          ? `${f.schema}.${f.table} ${f.constraint}`
          : `${f.schema}.${f.table}`;
    lines.push(`${f.severity} ${f.kind}: ${what}`);
    lines.push(`  ${f.message}`);
    for (const s of f.sql) lines.push(`    ${s}`);
  }
  if (report.findings.length === 0) lines.push('no findings');
  lines.push('');
  lines.push('extensions:');
  for (const e of report.extensions)
    lines.push(
      `  ${e.name}: ${e.installedVersion !== null ? `installed ${e.installedVersion}` : e.defaultVersion !== null ? `available ${e.defaultVersion} (not installed)` : 'not available'}`,
    );
  for (const name of ['pg_trgm', 'vector', 'hypopg', 'pg_stat_statements', 'pgstattuple']) {
    if (!report.extensions.some((e) => e.name === name)) lines.push(`  ${name}: not available on this server`);
  }
  lines.push('');
  lines.push('tables (size, rows estimated, inserts/updates/deletes since the statistics began):');
  for (const t of report.tables) {
    const rows = t.rows < 0 ? 'never analyzed' : `~${Math.round(t.rows)} rows`;
    lines.push(
      `  ${t.schema}.${t.table}${t.kind === 'p' ? ' (partitioned)' : ''}${t.inSchema ? '' : ' (not in schema.prisma)'}: ${size(t.bytes)}, ${rows}, ${t.inserts}/${t.updates}/${t.deletes}`,
    );
  }
  const counts = LEVELS.map((s) => `${report.findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  lines.push('');
  lines.push(`${counts}`);
  return `${lines.join('\n')}\n`;
}
