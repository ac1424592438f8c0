#!/usr/bin/env node
'use strict';
/**
 * `node bench/deploy-polling.js [--rows N] [--rounds K]`: what watching a build costs it.
 *
 * Builds the same CREATE INDEX CONCURRENTLY on an embedded PostgreSQL, alternating: without any
 * watcher, with deploy's poller at 500 ms (the terminal rate) and at 100 ms (5x that, the rate the
 * tests use), each reading being deploy's own query (pg_stat_progress_create_index + blockers).
 * Rounds are interleaved so drift on a shared machine hits every variant alike; medians reported.
 * Writes bench/deploy-polling.json. Target: < 2 % overhead at the default rate.
 */
const fs = require('node:fs');
const path = require('node:path');
const { dist, median, round } = require('./lib');

const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const ROWS = arg('--rows', 1_500_000);
const ROUNDS = arg('--rounds', 7);

/** CPU time (ms) a PostgreSQL backend has used so far, from /proc (Linux): utime + stime. */
function backendCpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ = 100
}

async function main() {
  const { startEmbeddedPostgres } = dist('db/embedded.js');
  const { connect, createScratchDatabase } = dist('db/client.js');
  const { readBuilds } = dist('deploy/monitor.js');
  const pg = await startEmbeddedPostgres();
  try {
    const db = await createScratchDatabase(pg.connection, 'bench_polling');
    const builder = await connect(db.target);
    const watcher = await connect(db.target);
    await builder.query("SET application_name = 'bench builder'");
    await builder.query('CREATE TABLE item (id integer NOT NULL, v integer NOT NULL)');
    await builder.query(
      'INSERT INTO item SELECT g, ((g::bigint * 7919) % 100003)::int FROM generate_series(1, $1::int) AS g',
      [ROWS],
    );
    await builder.query('VACUUM ANALYZE item');
    const pidOf = async (c) => (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const builderPid = await pidOf(builder);
    const watcherPid = await pidOf(watcher);
    const variants = [
      { id: 'none', intervalMs: null },
      { id: '500ms', intervalMs: 500 },
      { id: '100ms', intervalMs: 100 },
    ];
    const times = Object.fromEntries(variants.map((v) => [v.id, []]));
    const readings = Object.fromEntries(variants.map((v) => [v.id, 0]));
    const busyShare = Object.fromEntries(variants.map((v) => [v.id, []]));
    const cpuShare = Object.fromEntries(variants.map((v) => [v.id, []]));
    for (let r = 0; r < ROUNDS + 1; r++) {
      for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
        // deploy's poller loop (src/deploy/monitor.ts startPoller), timing each reading.
        let n = 0;
        let busy = 0;
        let stop = false;
        const poll = (async () => {
          if (v.intervalMs === null) return;
          while (!stop) {
            await new Promise((r) => setTimeout(r, v.intervalMs));
            if (stop) break;
            const t0 = performance.now();
            await readBuilds(watcher, 'bench builder');
            busy += performance.now() - t0;
            n++;
          }
        })();
        const cpu0 = { b: backendCpuMs(builderPid), w: backendCpuMs(watcherPid) };
        const t = performance.now();
        await builder.query('CREATE INDEX CONCURRENTLY item_v_idx ON item (v, id)');
        const ms = performance.now() - t;
        stop = true;
        await poll;
        const cpu = { b: backendCpuMs(builderPid) - cpu0.b, w: backendCpuMs(watcherPid) - cpu0.w };
        await builder.query('DROP INDEX item_v_idx');
        if (r === 0) continue; // warm-up round
        times[v.id].push(ms);
        readings[v.id] += n;
        busyShare[v.id].push(busy / ms);
        cpuShare[v.id].push(cpu.w / Math.max(cpu.b, 1));
      }
    }
    const base = median(times.none);
    const result = {
      measuredAt: new Date().toISOString(),
      rows: ROWS,
      rounds: ROUNDS,
      medianMs: Object.fromEntries(variants.map((v) => [v.id, round(median(times[v.id]), 1)])),
      overheadPct: Object.fromEntries(
        variants
          .filter((v) => v.intervalMs !== null)
          .map((v) => [v.id, round(((median(times[v.id]) - base) / base) * 100, 2)]),
      ),
      // Upper bound of the work polling adds: time spent in readings (round trip, server work
      // included) as a share of the build's time. Robust to the noise of a shared machine.
      readingTimePct: Object.fromEntries(
        variants.filter((v) => v.intervalMs !== null).map((v) => [v.id, round(median(busyShare[v.id]) * 100, 3)]),
      ),
      // The watcher backend's CPU time over the builder backend's CPU time (from /proc): the
      // server work polling adds, independent of scheduling noise (10 ms clock ticks).
      serverCpuPct: Object.fromEntries(variants.map((v) => [v.id, round(median(cpuShare[v.id]) * 100, 3)])),
      readingsPerBuild: Object.fromEntries(variants.map((v) => [v.id, round(readings[v.id] / ROUNDS, 1)])),
      allMs: Object.fromEntries(variants.map((v) => [v.id, times[v.id].map((x) => round(x, 1))])),
    };
    fs.writeFileSync(path.join(__dirname, 'deploy-polling.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    await builder.end();
    await watcher.end();
    await db.drop();
  } finally {
    await pg.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exitCode = 1;
});
