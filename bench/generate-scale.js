'use strict';
/**
 * Part 1b, generate at scale: a cold `idxgen generate` (default flags, validation cache off) on
 * generated schemas of growing size, each in a fresh project folder. Wall time, CPU time (user +
 * sys: what the machine's load does not inflate) and peak RSS of the process; the folders and
 * schema lines it wrote. Target: 5,000 models in ≤ 30 s and ≤ 600 MB (issue 9 item 6).
 */
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { CODE, measureNode, round } = require('./lib');
const { generateSchema } = require('./gen-schema');

const IDXGEN_BIN = path.join(CODE, 'bin', 'idxgen.js');
const TARGET = { models: 5000, seconds: 30, rssMB: 600 };

async function runGenerateScale({ quick, work, log }) {
  const sizes = quick ? [250, 1000] : [1000, 2000, 5000];
  const rows = [];
  log(`generate at scale: ${sizes.join(', ')} models, one cold run each`);
  for (const models of sizes) {
    const dir = fs.mkdtempSync(path.join(work, `generate-${models}-`));
    fs.mkdirSync(path.join(dir, 'prisma'));
    const schemaFile = path.join(dir, 'prisma', 'schema.prisma');
    const schema = generateSchema(models, 42);
    fs.writeFileSync(schemaFile, schema);
    const r = await measureNode([IDXGEN_BIN, 'generate', '--timestamp', '20260101000000'], {
      cwd: dir,
      env: { IDXGEN_NO_CACHE: '1' },
    });
    const summary = /schema \((\d+) declarations? added, (\d+) removed/.exec(r.stdout);
    const lines = /: (\d+) lines? added, (\d+) removed/.exec(r.stdout);
    const migrations = path.join(dir, 'prisma', 'migrations');
    const row = {
      models,
      lines: schema.split('\n').length,
      ok: r.code === 0,
      error: r.code === 0 ? null : `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n')[0].slice(0, 160)}`,
      ms: round(r.ms, 0),
      cpuMs: r.cpuMs === null ? null : round(r.cpuMs, 0),
      rssMB: r.rssKB ? round(r.rssKB / 1024, 1) : null,
      folders: fs.existsSync(migrations) ? fs.readdirSync(migrations).filter((n) => /^\d{14}_/.test(n)).length : 0,
      declarationsAdded: summary ? Number(summary[1]) : 0,
      declarationsRemoved: summary ? Number(summary[2]) : 0,
      schemaLinesAdded: lines ? Number(lines[1]) : 0,
      schemaLinesRemoved: lines ? Number(lines[2]) : 0,
      loadavg: os.loadavg().map((x) => round(x, 1)),
    };
    rows.push(row);
    log(
      `  ${String(models).padStart(5)} models: ${row.ok ? `${(row.ms / 1000).toFixed(1)} s wall, ${row.cpuMs === null ? '?' : (row.cpuMs / 1000).toFixed(1)} s CPU, ${row.rssMB} MB peak, ${row.folders} folders, schema +${row.schemaLinesAdded} -${row.schemaLinesRemoved} lines` : row.error}`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { sizes, rows, target: TARGET };
}

module.exports = { runGenerateScale, TARGET };
