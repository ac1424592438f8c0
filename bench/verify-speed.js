'use strict';
/**
 * Part 1c, verify: `idxgen verify --format json` through the real binary on the two projects issue
 * 14 sets bars for: the bundled example after a default `generate` (≤ 6 s), and trigger.dev from the
 * corpus (81 models) after `generate --include-info` (≤ 15 s). Each in a fresh project folder. The
 * first verify on a machine also makes the initdb template it copies afterwards (kept in the temp
 * folder), so one unmeasured run comes first. Wall time, CPU (user + sys of idxgen and of the
 * PostgreSQL server it starts and reaps: what the machine's load does not inflate), peak RSS, and
 * verify's own verdict and phases.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { CODE, ROOT, measureNode, median, round } = require('./lib');
const { corpusDir } = require('../scripts/corpus-dir');

const IDXGEN_BIN = path.join(CODE, 'bin', 'idxgen.js');
const CORPUS_DIR = corpusDir(ROOT);

/** The projects and their bars (ms). */
const CASES = [
  { name: 'example', schema: path.join(ROOT, 'prisma', 'schema.prisma'), generate: [], targetMs: 6000 },
  {
    name: 'trigger.dev',
    schema: CORPUS_DIR && path.join(CORPUS_DIR, 'triggerdotdev__trigger.dev.prisma'),
    generate: ['--include-info'],
    targetMs: 15000,
  },
];

/** A project folder holding `schema` and the folders `generate` writes for it. */
async function project(work, c) {
  const dir = fs.mkdtempSync(path.join(work, `verify-${c.name}-`));
  fs.mkdirSync(path.join(dir, 'prisma'));
  fs.copyFileSync(c.schema, path.join(dir, 'prisma', 'schema.prisma'));
  const r = await measureNode([IDXGEN_BIN, 'generate', '--timestamp', '20260101000000', ...c.generate], { cwd: dir });
  if (r.code !== 0) throw new Error(`generate for ${c.name}: exit ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
  return dir;
}

/** One verify run: its times and what its JSON report says. */
async function verifyOnce(dir) {
  const r = await measureNode([IDXGEN_BIN, 'verify', '--format', 'json'], { cwd: dir });
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    report = undefined;
  }
  const ok = r.code === 0 && report?.ok === true;
  return {
    ms: r.ms,
    cpuMs: r.cpuMs,
    rssKB: r.rssKB,
    ok,
    error: ok ? null : `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n')[0].slice(0, 200)}`,
    folders: report?.folders?.idxgen?.length ?? null,
    phases: report?.phases ?? null,
  };
}

async function runVerifySpeed({ quick, work, log }) {
  const reps = quick ? 1 : 3;
  const cases = CASES.filter((c) => c.schema && fs.existsSync(c.schema));
  log(`verify: ${cases.map((c) => c.name).join(', ')}, ${reps} run(s) each after one unmeasured run`);
  const rows = [];
  for (const c of cases) {
    const dir = await project(work, c);
    if (rows.length === 0) await verifyOnce(dir); // the initdb template, once per machine
    const runs = [];
    for (let i = 0; i < reps; i++) runs.push(await verifyOnce(dir));
    const middle = [...runs].sort((a, b) => a.ms - b.ms)[runs.length >> 1];
    const row = {
      name: c.name,
      generate: c.generate,
      targetMs: c.targetMs,
      ok: runs.every((r) => r.ok),
      error: runs.find((r) => !r.ok)?.error ?? null,
      folders: middle.folders,
      ms: round(median(runs.map((r) => r.ms)), 0),
      msAll: runs.map((r) => round(r.ms, 0)),
      cpuMs: runs.every((r) => r.cpuMs !== null) ? round(median(runs.map((r) => r.cpuMs)), 0) : null,
      rssMB: runs.every((r) => r.rssKB) ? round(Math.max(...runs.map((r) => r.rssKB)) / 1024, 1) : null,
      phases: middle.phases,
      loadavg: os.loadavg().map((x) => round(x, 1)),
    };
    rows.push(row);
    log(
      `  ${c.name}: ${row.ok ? `${(row.ms / 1000).toFixed(2)} s wall (${row.msAll.map((ms) => (ms / 1000).toFixed(2)).join(', ')}), ${row.cpuMs === null ? '?' : (row.cpuMs / 1000).toFixed(1)} s CPU, ${row.folders} folders` : row.error}`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { reps, rows };
}

module.exports = { runVerifySpeed };
