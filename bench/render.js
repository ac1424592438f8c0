'use strict';
/**
 * Targets, console summary and BENCHMARKS.md, all from results.json. The prose lives in
 * bench/BENCHMARKS.md.hbs; the tables are built here.
 */
const fs = require('node:fs');
const path = require('node:path');
const Handlebars = require('handlebars');
const { mdTable, textTable, fmtMs, fmtRatio } = require('./lib');
const { FK_ORDER_RULES } = require('./data');

const TARGET_SPEEDUP = 50;

/** The three queries the ≥ 50× target names, found in the index-gains results. */
function headlineQueries(gains) {
  const q = gains?.queries ?? [];
  return {
    // The example asks for (authorId, createdAt) INCLUDE (title) on Post with @idxgen.covering.
    fkOrder: q.find((x) => FK_ORDER_RULES.has(x.rule) && x.table === 'Post' && !x.extra),
    gin: q.find((x) => x.rule === 'array-gin-index' && x.table === 'Post' && !x.extra),
    queue: q.find((x) => x.rule === 'queue-partial-index' && x.table === 'ingest_events'),
  };
}

const notes = (...parts) => parts.filter(Boolean).join('; ') || null;
const msOf = (row, tool) => (row.tools[tool].ok && !row.tools[tool].skipped ? `${fmtMs(row.tools[tool].ms)} ms` : '–');

/**
 * Prisma's validator alone in a fresh process, measured beside the tools (tool-speed.js), and a
 * worker thread's start: idxgen validates on one while its own thread builds the model and plans.
 */
function validatorAloneNote(row, baseline) {
  const alone = row.tools['validator-alone'];
  if (!alone || alone.skipped || !alone.ok) return null;
  const worker = baseline?.['worker thread start']?.innerMs;
  return (
    `Prisma's validator alone, in a fresh Node without idxgen: ${fmtMs(alone.ms)} ms` +
    (worker !== undefined ? ` (+ ${fmtMs(worker)} ms for the worker thread idxgen runs it on)` : '')
  );
}

/** civitai measured again without this machine's start-up variable (tool-speed.js), if it is set. */
function withoutStartUpVariable(sp) {
  const w = sp?.withoutStartUpVariable;
  return w ? { label: `with ${w.variable} unset`, row: w.row } : null;
}

function evaluateTargets(r) {
  const t = [];
  const add = (id, target, measured, met, note = null) => t.push({ id, target, measured, met, note });
  const sp = r.speed;
  const civ = sp?.rows.find((x) => x.name === 'civitai');
  if (civ) {
    const c = civ.tools['idxgen-check'];
    const cached = civ.tools['idxgen-check-cached'];
    const floor = validatorAloneNote(civ, sp.baseline);
    const without = withoutStartUpVariable(sp);
    add(
      'civitai-cold',
      'idxgen check on civitai, cold process ≤ 0.5 s',
      `${fmtMs(c.ms)} ms (median of ${civ.reps}, validation cache off)`,
      c.ms <= 500,
      cached && !cached.skipped
        ? `repeat run on the unchanged schema, validation cache warm: ${fmtMs(cached.ms)} ms`
        : null,
    );
    add(
      'civitai-vs-prisma-lint',
      'idxgen check ≥ 3× faster than prisma-lint on civitai',
      `${fmtRatio(civ.prismaLintOverCheck)} (prisma-lint ${fmtMs(civ.tools['prisma-lint'].ms)} ms / idxgen ${fmtMs(c.ms)} ms, paired median)`,
      civ.prismaLintOverCheck >= 3,
      notes(
        floor && `3× asks for ≤ ${fmtMs(civ.tools['prisma-lint'].ms / 3)} ms; ${floor}`,
        without && `${without.label}: ${fmtRatio(without.row.prismaLintOverCheck)}`,
      ),
    );
    // Issue 14's bars, on the same runs.
    add(
      'civitai-cold-330',
      'idxgen check on civitai, cold, validation cache off ≤ 330 ms (issue 14)',
      `${fmtMs(c.ms)} ms (median of ${civ.reps}; fastest ${fmtMs(c.msMin)} ms)`,
      c.ms <= 330,
      notes(floor, without && `${without.label}: ${msOf(without.row, 'idxgen-check')}`),
    );
    const plan = civ.tools['idxgen-plan'];
    add(
      'civitai-plan-400',
      'idxgen plan on civitai, cold, validation cache off ≤ 400 ms (issue 14)',
      `${fmtMs(plan.ms)} ms (median of ${civ.reps}; fastest ${fmtMs(plan.msMin)} ms)`,
      plan.ms <= 400,
      notes(without && `${without.label}: ${msOf(without.row, 'idxgen-plan')}`),
    );
    if (cached && !cached.skipped)
      add(
        'civitai-warm-250',
        'idxgen check on civitai, validation cache warm ≤ 250 ms (issue 14)',
        `${fmtMs(cached.ms)} ms (median of ${civ.reps}; fastest ${fmtMs(cached.msMin)} ms)`,
        cached.ms <= 250,
        notes(without && `${without.label}: ${msOf(without.row, 'idxgen-check-cached')}`),
      );
  }
  const b = sp?.builds?.civitai;
  if (b && !b.error) {
    add(
      'civitai-model-build',
      'civitai model build (loadSchema) in-process ≤ 300 ms',
      `${fmtMs(b.loadMs)} ms median of ${b.runs} calls after the first; the first call: ${fmtMs(b.firstLoadMs)} ms`,
      b.loadMs <= 300,
      b.firstLoadMs > 300 ? 'met for a warm process; the first call in a process (what a CLI run pays) is over' : null,
    );
  }
  if (sp) {
    let worst = { mb: 0 };
    for (const row of sp.rows)
      for (const id of ['idxgen-check', 'idxgen-plan'])
        if ((row.tools[id].rssMaxMB ?? 0) > worst.mb)
          worst = { mb: row.tools[id].rssMaxMB, where: `${id} on ${row.name}` };
    add(
      'peak-rss',
      `idxgen peak RSS ≤ 230 MB (every schema, up to ${Math.max(...sp.sizes).toLocaleString('en-US')} generated models; issue 14, 250 MB before)`,
      `${worst.mb} MB (${worst.where})`,
      worst.mb <= 230,
    );
    const fit = sp.fits['idxgen-check'];
    if (fit) {
      const b2 = fit.bestOfRuns;
      add(
        'linear',
        'time grows linearly with schema size (R² ≥ 0.98 on generated schemas)',
        `${fit.slopeMsPerModel} ms/model + ${fit.interceptMs} ms, R² ${fit.r2} (medians of ${fit.points} sizes)`,
        fit.r2 >= 0.98,
        b2 ? `on each size's fastest run: ${b2.slopeMsPerModel} ms/model + ${b2.interceptMs} ms, R² ${b2.r2}` : null,
      );
    }
  }
  for (const row of r.verify?.rows ?? []) {
    add(
      `verify-${row.name}`,
      `idxgen verify on ${row.name === 'example' ? 'the bundled example' : `${row.name} (\`generate ${row.generate.join(' ')}\`)`} ≤ ${row.targetMs / 1000} s (issue 14)`,
      row.ok
        ? `${(row.ms / 1000).toFixed(2)} s wall (median of ${row.msAll.length}), ${row.cpuMs === null ? '?' : (row.cpuMs / 1000).toFixed(1)} s CPU, ${row.folders} folders`
        : row.error,
      row.ok && row.ms <= row.targetMs,
      row.ok ? `CPU includes the PostgreSQL server verify starts; load average ${row.loadavg.join(' / ')}` : null,
    );
  }
  const gen = r.generate;
  if (gen) {
    const t = gen.target;
    const row = gen.rows.find((x) => x.models === t.models);
    if (!row)
      add(
        'generate-scale',
        `idxgen generate on ${t.models.toLocaleString('en-US')} generated models ≤ ${t.seconds} s and ≤ ${t.rssMB} MB peak RSS`,
        `not measured (sizes ${gen.sizes.join(', ')})`,
        null,
      );
    else {
      add(
        'generate-scale',
        `idxgen generate on ${t.models.toLocaleString('en-US')} generated models ≤ ${t.seconds} s and ≤ ${t.rssMB} MB peak RSS`,
        row.ok
          ? `${(row.ms / 1000).toFixed(1)} s wall (${(row.cpuMs / 1000).toFixed(1)} s CPU), ${row.rssMB} MB`
          : row.error,
        row.ok && row.ms <= t.seconds * 1000 && row.rssMB <= t.rssMB,
        row.ok
          ? `load average ${row.loadavg.join(' / ')} on ${r.machine.cores} cores during the run; CPU time is what an idle machine would take`
          : null,
      );
    }
  }
  if (r.gains) {
    const h = headlineQueries(r.gains);
    const names = {
      fkOrder: 'FK + ORDER BY … LIMIT (a typical author’s newest posts)',
      gin: 'GIN containment tags @> ARRAY[…] (a rare tag)',
      queue: 'queue poll (status IN … AND next_attempt_at <= now() ORDER BY … LIMIT 50)',
    };
    for (const [k, q] of Object.entries(h)) {
      // A query left out (its proposal was not generated, its table not loaded) has no timings.
      if (!q || !q.before || !q.after) add(`speedup-${k}`, `${names[k]} ≥ ${TARGET_SPEEDUP}×`, 'not measured', false);
      else {
        const notes = [
          `server-side (EXPLAIN ANALYZE): ${fmtRatio(q.serverSpeedup)} (${fmtMs(q.before.serverMs)} → ${fmtMs(q.after.serverMs)} ms), ${q.after.rows} rows returned`,
        ];
        if (r.gains.rowsPerMainTable < 1_000_000)
          notes.push(`${r.gains.rowsPerMainTable.toLocaleString('en-US')} rows (quick): the target is for 1,000,000`);
        add(
          `speedup-${k}`,
          `${names[k]} ≥ ${TARGET_SPEEDUP}×`,
          `${fmtRatio(q.speedup)} (${fmtMs(q.before.ms)} → ${fmtMs(q.after.ms)} ms, client-side)`,
          q.speedup >= TARGET_SPEEDUP,
          notes.join('; '),
        );
      }
    }
  }
  if (r.concurrency) {
    const cases = r.concurrency.cases.filter((c) => !c.error);
    const failed = r.concurrency.cases.filter((c) => c.error);
    if (failed.length > 0)
      add(
        'concurrency-cases',
        'every concurrency case ran',
        failed.map((c) => `${c.id}: ${c.error}`).join('; '),
        false,
      );
    const worst = Math.max(...cases.map((c) => c.idxgen.maxOfRunsMs));
    const worstCase = cases.find((c) => c.idxgen.maxOfRunsMs === worst);
    add(
      'no-stall',
      'no write stalled > 100 ms while idxgen’s migrations ran',
      `worst write ${worst} ms (${worstCase?.id}), over all ${r.concurrency.reps} run(s) of ${cases.length} cases`,
      worst <= 100,
    );
    const shown = cases.filter((c) => c.control.maxMs > 100 && c.control.ddlMs >= r.concurrency.minPlainMs);
    add(
      'control-stall',
      'the blocking control shows the stall (plain build ≥ 1 s, writes wait for it)',
      cases.map((c) => `${c.id}: ${c.control.maxMs} ms max write, build ${c.control.ddlMs} ms`).join('; '),
      shown.length === cases.length,
      r.mode === 'quick'
        ? 'quick: tables are not grown, so plain builds stay short; every write still waits for the whole build'
        : null,
    );
  }
  if (r.record) {
    add(
      'record-overhead',
      'recordQueryShapes costs < 20 µs a query in the application',
      `${r.record.perQueryUs} µs (median of ${r.record.repetitions} × ${r.record.iterations.toLocaleString('en-US')} calls)`,
      r.record.perQueryUs < 20,
      `with callSites: true ${r.record.perQueryUsCallSites} µs (a stack trace a query; off by default)`,
    );
  }
  if (r.workload) {
    add(
      'workload-plan',
      `plan --queries with ${r.workload.shapes.toLocaleString('en-US')} recorded shapes ≤ 5 s`,
      `${r.workload.planMs} ms (median of ${r.workload.runs}; plan without --queries ${r.workload.baselineMs} ms)`,
      r.workload.planMs <= 5000,
      `${r.workload.workloadProposals} workload-index proposals`,
    );
  }
  if (r.live) {
    const l = r.live.scale;
    add(
      'live-plan',
      `plan --database-url on ${l.tables} tables and ${l.statementsRun} statements ≤ 5 s`,
      `${l.medianMs} ms (median of ${l.wallMs.length}: ${l.wallMs.join(', ')} ms)`,
      l.medianMs <= 5000,
      `${l.statementsRead} statements read; ${l.workloadProposals} workload proposals (${l.workloadProposalsByMinSavedPercent['0']} with minSavedPercent 0)`,
    );
  }
  const totalS = r.timings.totalMs / 1000;
  add(
    'runtime',
    r.mode === 'quick' ? 'quick run < 2 min' : 'full run < 10 min',
    `${totalS.toFixed(0)} s`,
    r.mode === 'quick' ? totalS < 120 : totalS < 600,
    r.kept ? `a partial run: ${r.kept.join(', ')} kept from the previous run` : null,
  );
  return t;
}

const yes = (m) => (m === true ? '**met**' : m === false ? '**missed**' : '–');

function speedTable(sp) {
  const rows = sp.rows.map((r) => {
    const c = r.tools['idxgen-check'];
    const p = r.tools['idxgen-plan'];
    const l = r.tools['prisma-lint'];
    return [
      r.name,
      r.models,
      r.lines.toLocaleString('en-US'),
      c.ok ? `${fmtMs(c.ms)} (${fmtMs(c.msMin)})` : `error: ${c.error}`,
      p.skipped ? 'not run (quick)' : p.ok ? fmtMs(p.ms) : `error: ${p.error}`,
      l.ok ? `${fmtMs(l.ms)} (${fmtMs(l.msMin)})` : `crashed (${fmtMs(l.ms)} ms)`,
      l.ok ? fmtRatio(r.prismaLintOverCheck) : '–',
      `${c.rssMaxMB} / ${p.rssMaxMB ?? '–'}`,
      l.rssMaxMB,
      r.reps,
    ];
  });
  return mdTable(
    [
      'schema',
      'models',
      'lines',
      'idxgen check ms (fastest)',
      'idxgen plan ms',
      'prisma-lint ms (fastest)',
      'prisma-lint ÷ check',
      'idxgen peak RSS MB (check / plan)',
      'prisma-lint peak RSS MB',
      'runs',
    ],
    rows,
  );
}

function fitTable(sp) {
  const label = { 'idxgen-check': 'idxgen check', 'idxgen-plan': 'idxgen plan', 'prisma-lint': 'prisma-lint' };
  return mdTable(
    ['tool', 'slope ms/model (medians)', 'intercept ms', 'R²', 'slope ms/model (fastest runs)', 'intercept ms', 'R²'],
    Object.entries(sp.fits).map(([id, f]) => [
      label[id],
      f.slopeMsPerModel,
      f.interceptMs,
      f.r2,
      f.bestOfRuns?.slopeMsPerModel,
      f.bestOfRuns?.interceptMs,
      f.bestOfRuns?.r2,
    ]),
  );
}

function buildTable(sp) {
  return mdTable(
    [
      'schema',
      'models',
      'first loadSchema ms',
      'loadSchema ms (median)',
      'of which Prisma validate',
      'of which idxgen model build',
      'planModel ms (median)',
      'calls',
    ],
    Object.entries(sp.builds).map(([name, b]) =>
      b.error
        ? [name, 'error', b.error]
        : [
            name,
            b.models,
            fmtMs(b.firstLoadMs),
            fmtMs(b.loadMs),
            fmtMs(b.validateMs),
            fmtMs(b.buildMs),
            fmtMs(b.planMs),
            b.runs,
          ],
    ),
  );
}

function profileTables(p) {
  if (!p || p.error) return `(no profile: ${p?.error ?? 'not run'})`;
  const area = mdTable(
    ['where the time goes (innermost known frame)', 'ms', 'share'],
    p.byArea.map((a) => [a.area, a.ms, `${((a.ms / p.sampledMs) * 100).toFixed(0)}%`]),
  );
  const stages = mdTable(
    ['stage (inclusive)', 'ms'],
    p.stages.map((s) => [`\`${s.fn}\``, s.ms]),
  );
  const self = mdTable(
    ['top self time', 'ms'],
    p.topSelf.slice(0, 12).map((s) => [`\`${s.fn}\``, s.ms]),
  );
  return `${area}\n\n${stages}\n\n${self}`;
}

function generateTable(gen) {
  return mdTable(
    [
      'models',
      'schema lines',
      'wall s',
      'CPU s (user + sys)',
      'peak RSS MB',
      'folders written',
      'schema lines added / removed',
      'load average (1 / 5 / 15 min)',
    ],
    gen.rows.map((x) => [
      x.models.toLocaleString('en-US'),
      x.lines.toLocaleString('en-US'),
      x.ok ? (x.ms / 1000).toFixed(1) : x.error,
      x.cpuMs === null ? '–' : (x.cpuMs / 1000).toFixed(1),
      x.rssMB,
      x.folders,
      `${x.schemaLinesAdded} / ${x.schemaLinesRemoved}`,
      x.loadavg.join(' / '),
    ]),
  );
}

/** verify's runs, and where its median run spent the time (its own `phases`, longest first). */
function verifyTable(v) {
  return mdTable(
    [
      'project',
      'folders',
      'wall s (each run)',
      'CPU s (user + sys)',
      'peak RSS MB',
      'longest phases (ms, they overlap)',
    ],
    v.rows.map((x) => [
      x.name,
      x.folders ?? '–',
      x.ok ? `${(x.ms / 1000).toFixed(2)} (${x.msAll.map((ms) => (ms / 1000).toFixed(2)).join(', ')})` : x.error,
      x.cpuMs === null ? '–' : (x.cpuMs / 1000).toFixed(1),
      x.rssMB ?? '–',
      (x.phases ?? [])
        .slice()
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 4)
        .map((p) => `${p.name} ${p.ms}`)
        .join(', '),
    ]),
  );
}

function gainsTable(g) {
  const rows = g.queries
    .filter((q) => q.before && q.after)
    .map((q) => [
      `${q.entryId.replace(/^[^:]+:/, '')}${q.extra ? ' *(extra)*' : ''}`,
      q.rule,
      `\`${q.sql.replace(/\s+/g, ' ')}\`${q.params?.length ? ` (${q.params.map((p) => (p === null ? 'NULL' : p.length > 40 ? `${p.slice(0, 37)}…` : p)).join(', ')})` : ''}${q.note ? ` — ${q.note}` : ''}`,
      `${fmtMs(q.before.ms)} / ${fmtMs(q.before.serverMs)}`,
      q.before.plan,
      `${fmtMs(q.after.ms)} / ${fmtMs(q.after.serverMs)}`,
      q.after.plan,
      `**${fmtRatio(q.speedup)}** / ${fmtRatio(q.serverSpeedup)}`,
      q.after.rows,
    ]);
  return mdTable(
    [
      'proposal',
      'rule',
      'query',
      'before ms (client / server)',
      'plan before',
      'after ms (client / server)',
      'plan after',
      'speed-up (client / server)',
      'rows',
    ],
    rows,
  );
}

function skippedList(g) {
  const skipped = g.queries.filter((q) => q.skip);
  const by = new Map();
  for (const q of skipped) by.set(q.skip, [...(by.get(q.skip) ?? []), q.entryId.replace(/^[^:]+:/, '')]);
  return [...by].map(([why, names]) => `- ${why}: ${names.join(', ')}`).join('\n');
}

function loadTable(g) {
  return mdTable(
    ['table', 'rows', 'load s'],
    g.load.timings.map((t) => [t.table, t.rows.toLocaleString('en-US'), (t.ms / 1000).toFixed(1)]),
  );
}

function slowFolders(g) {
  return mdTable(
    ['slowest migration folders', 'rule', 's'],
    [...g.apply.folders]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 8)
      .map((f) => [f.folder, f.rule ?? '–', (f.ms / 1000).toFixed(2)]),
  );
}

function concurrencyTable(c) {
  const rows = c.cases.map((x) =>
    x.error
      ? [x.label, '–', x.error]
      : [
          x.label,
          `${x.table}, ${x.rows.toLocaleString('en-US')} rows`,
          fmtMs(x.idxgen.ddlMs),
          `**${x.idxgen.maxMs}** (worst run ${x.idxgen.maxOfRunsMs})`,
          x.idxgen.p99Ms,
          x.idxgen.over100ms,
          fmtMs(x.control.ddlMs),
          `**${x.control.maxMs}** (worst run ${x.control.maxOfRunsMs})`,
          x.control.p99Ms,
          x.control.over100ms,
          `${x.idxgen.writes} / ${x.control.writes}`,
          x.idxgen.baselineP50Ms,
        ],
  );
  return mdTable(
    [
      'migration',
      'table',
      'idxgen: DDL ms',
      'idxgen: max write ms',
      'idxgen: p99 ms',
      'idxgen: writes > 100 ms',
      'control: DDL ms',
      'control: max write ms',
      'control: p99 ms',
      'control: writes > 100 ms',
      'writes during DDL (idxgen / control)',
      'write p50 before DDL ms',
    ],
    rows,
  );
}

function machineTable(r) {
  const m = r.machine;
  const rows = [
    ['date', m.date],
    ['CPU', `${m.cores} cores, ${m.cpu}`],
    ['memory', `${m.memoryGB} GB`],
    ['OS', m.os],
    ['Node.js', m.node],
    ['PostgreSQL', m.postgres ?? 'not run'],
    [
      'PostgreSQL settings',
      m.postgresSettings
        ? Object.entries(m.postgresSettings)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')
        : '–',
    ],
    [
      'packages',
      Object.entries(m.packages)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
    [
      'idxgen',
      `${m.idxgen}${m.gitHead ? ` (checkout at ${m.gitHead}${r.build?.snapshot?.uncommittedFiles ? ` plus ${r.build.snapshot.uncommittedFiles} uncommitted file(s) of work in progress in src/ and templates/` : ''}; bin/, dist/ and templates/ snapshotted at the start of the run)` : ''}`,
    ],
    ['load average (1/5/15 min) at start → end', `${m.loadavgStart.join(' / ')} → ${m.loadavgEnd.join(' / ')}`],
    ['peak RSS measured with', m.rssMethod],
  ];
  return mdTable(['', ''], rows, ['l', 'l']);
}

function targetsTable(r) {
  return mdTable(
    ['target', 'measured', 'result', 'note'],
    r.targets.map((t) => [t.target, t.measured, yes(t.met), t.note ?? '']),
    ['l', 'l', 'c', 'l'],
  );
}

/** The smallest generated size from which idxgen check is at least as fast as prisma-lint at every larger size. */
function crossover(sp) {
  const gen = sp.rows
    .filter((x) => x.kind === 'generated' && x.prismaLintOverCheck !== null)
    .sort((a, b) => a.models - b.models);
  let at = null;
  for (let i = gen.length - 1; i >= 0 && gen[i].prismaLintOverCheck >= 1; i--) at = gen[i].models;
  return at;
}

Handlebars.registerHelper('ms', (v) => fmtMs(v));
Handlebars.registerHelper('x', (v) => fmtRatio(v));
Handlebars.registerHelper('eq', (a, b) => a === b);

/** The live-database part: the 1M-row plan's proposals, estimated and measured savings, and the threshold counts. */
function liveContext(live) {
  const p = live.production;
  const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
  const proposals = mdTable(
    [
      'rank',
      'rule',
      'index',
      'Prisma declaration',
      'estimated saving (upper bound)',
      'statements (calls, mean)',
      'size',
    ],
    p.proposals.map((x) => [
      x.rank,
      x.rule,
      x.index,
      x.declaration ? `\`${x.declaration}\`` : '–',
      s(x.savedMs),
      x.statements.map((st) => `${st.calls} × ${st.meanMs} ms`).join('; '),
      x.size ? x.size.replace(/^estimated size: /, '') : '–',
    ]),
  );
  const statements = mdTable(
    ['statement', 'calls', 'total before', 'total after the proposals'],
    Object.entries(p.perStatement).map(([name, v]) => [
      name,
      v.before?.calls ?? '–',
      v.before ? `${v.before.totalMs} ms` : '–',
      v.after ? `${v.after.totalMs} ms` : '–',
    ]),
  );
  const thresholds = mdTable(
    ['minSavedPercent', 'workload proposals'],
    Object.entries(live.scale.workloadProposalsByMinSavedPercent).map(([k, v]) => [k, v]),
  );
  return {
    recorded: live.recorded ?? null,
    scale: live.scale,
    production: p,
    proposals,
    statements,
    thresholds,
    estimated: s(p.estimatedSavedMs),
    measured: s(p.measuredSavedMs),
    before: s(p.measuredBeforeMs),
    after: s(p.measuredAfterMs),
  };
}

/** What this machine's start-up variable costs every process, and civitai without it; null where it is not set. */
function startUpParagraph(sp) {
  const w = sp.withoutStartUpVariable;
  if (!w) return null;
  const t = w.row.tools;
  const nodeUnset = sp.baseline[`node, ${w.variable} unset`];
  return (
    `\`${w.variable}\` is set on this machine, and Node 20 reads the certificates it names before any ` +
    `JavaScript runs: \`node -e 0\` takes ${sp.baseline.node.ms} ms with it and ${nodeUnset?.ms ?? '–'} ms without. ` +
    `Every process of every tool above pays it. civitai again in the same run with it unset (${w.row.reps} rounds): ` +
    `idxgen \`check\` ${msOf(w.row, 'idxgen-check')}, \`plan\` ${msOf(w.row, 'idxgen-plan')}, ` +
    `validation cache warm ${msOf(w.row, 'idxgen-check-cached')}, prisma-lint ${msOf(w.row, 'prisma-lint')} ` +
    `(${fmtRatio(w.row.prismaLintOverCheck)}), Prisma's validator alone ${msOf(w.row, 'validator-alone')}. ` +
    'The targets above are judged on the runs with the variable as the machine sets it.'
  );
}

function renderMarkdown(r, { quickRun, chart }) {
  const template = Handlebars.compile(fs.readFileSync(path.join(__dirname, 'BENCHMARKS.md.hbs'), 'utf8'), {
    noEscape: true,
  });
  const sp = r.speed;
  const civ = sp?.rows.find((x) => x.name === 'civitai');
  const p = sp?.profile;
  const areaMs = (name) => p?.byArea?.find((a) => a.area.startsWith(name))?.ms ?? 0;
  const b = sp?.builds?.civitai;
  const ctx = {
    r,
    mode: r.mode,
    quick: r.mode === 'quick',
    totalS: (r.timings.totalMs / 1000).toFixed(0),
    speedS: r.timings.speedMs ? (r.timings.speedMs / 1000).toFixed(0) : null,
    gainsS: r.timings.gainsMs ? (r.timings.gainsMs / 1000).toFixed(0) : null,
    concurrencyS: r.timings.concurrencyMs ? (r.timings.concurrencyMs / 1000).toFixed(0) : null,
    quickRun: quickRun ? { totalS: (quickRun.timings.totalMs / 1000).toFixed(0), date: quickRun.machine.date } : null,
    machine: machineTable(r),
    targets: targetsTable(r),
    met: r.targets.filter((t) => t.met === true).length,
    missed: r.targets.filter((t) => t.met === false).length,
    chart,
    speed: sp
      ? {
          table: speedTable(sp),
          fits: fitTable(sp),
          builds: buildTable(sp),
          profile: profileTables(p),
          baseline: sp.baseline,
          sizes: sp.sizes.join(', '),
          civitai: civ,
          civCheck: civ ? fmtMs(civ.tools['idxgen-check'].ms) : null,
          civCheckCached:
            civ && !civ.tools['idxgen-check-cached'].skipped ? fmtMs(civ.tools['idxgen-check-cached'].ms) : null,
          civLint: civ ? fmtMs(civ.tools['prisma-lint'].ms) : null,
          validatorAlone:
            civ && !civ.tools['validator-alone']?.skipped && civ.tools['validator-alone']?.ok
              ? fmtMs(civ.tools['validator-alone'].ms)
              : null,
          startUp: startUpParagraph(sp),
          profileWall: p?.wallMs,
          profileSampled: p?.sampledMs,
          wasmMs: areaMs("Prisma's validator"),
          modulesMs: areaMs('module loading'),
          gcMs: areaMs('garbage'),
          schemaMs: areaMs('idxgen: parse'),
          rulesMs: areaMs('idxgen: rules'),
          reportMs: areaMs('idxgen: report'),
          build: b,
          crossover: crossover(sp),
          rssMissed: r.targets.find((t) => t.id === 'peak-rss' && t.met === false)?.measured ?? null,
          slowerSmall: sp.rows.filter(
            (x) => x.kind !== 'generated' && x.prismaLintOverCheck !== null && x.prismaLintOverCheck < 1,
          ).length,
          nonGenerated: sp.rows.filter((x) => x.kind !== 'generated' && x.tools['prisma-lint'].ok).length,
          withoutValidator:
            civ && p && !p.error ? Math.round(civ.tools['idxgen-check'].ms - areaMs("Prisma's validator")) : null,
          warmBuildPlan: b ? fmtMs(b.buildMs + b.planMs) : null,
          coldBuildRules: fmtMs(areaMs('idxgen: parse') + areaMs('idxgen: rules')),
          topIdxgen: (p?.topSelf ?? [])
            .filter((f) => /\(dist\//.test(f.fn))
            .slice(0, 5)
            .map((f) => `\`${f.fn.replace(/ \(dist\//, '` (dist/').replace(/\)$/, '')}, ${f.ms} ms)`)
            .join(', '),
          largest: [...sp.rows].filter((x) => x.kind === 'generated').sort((a, b) => b.models - a.models)[0],
          crashed: sp.rows
            .filter((x) => !x.tools['prisma-lint'].ok)
            .map((x) => x.name)
            .join(', '),
        }
      : null,
    live: r.live ? liveContext(r.live) : null,
    gains: r.gains
      ? {
          ...r.gains,
          headline: headlineQueries(r.gains),
          rows: r.gains.rowsPerMainTable.toLocaleString('en-US'),
          loadS: (r.gains.load.totalMs / 1000).toFixed(0),
          vacuumS: (r.gains.load.vacuumMs / 1000).toFixed(0),
          applyS: (r.gains.apply.totalMs / 1000).toFixed(0),
          table: gainsTable(r.gains),
          loadTable: loadTable(r.gains),
          skipped: skippedList(r.gains),
          slow: slowFolders(r.gains),
        }
      : null,
    generate: r.generate
      ? {
          table: generateTable(r.generate),
          target: r.generate.target,
          generateS: r.timings.generateMs ? (r.timings.generateMs / 1000).toFixed(0) : null,
        }
      : null,
    verify: r.verify ? { table: verifyTable(r.verify), reps: r.verify.reps } : null,
    kept: r.kept ? r.kept.join(', ') : null,
    concurrency: r.concurrency
      ? {
          ...r.concurrency,
          table: concurrencyTable(r.concurrency),
          growth: r.concurrency.growth
            .map(
              (g) =>
                `${g.table} ×${g.factor} → ${g.rows.toLocaleString('en-US')} rows (plain build then ${g.plainMsAfter} ms)`,
            )
            .join('; '),
        }
      : null,
  };
  return template(ctx).replace(/\n{3,}/g, '\n\n');
}

function printSummary(r, log) {
  if (r.speed) {
    log('\n== tool speed (cold process, median ms; peak RSS MB) ==');
    log(
      textTable(
        ['schema', 'models', 'check', 'plan', 'prisma-lint', 'lint÷check', 'check RSS', 'lint RSS'],
        r.speed.rows.map((x) => [
          x.name,
          x.models,
          fmtMs(x.tools['idxgen-check'].ms),
          x.tools['idxgen-plan'].skipped ? 'skip' : fmtMs(x.tools['idxgen-plan'].ms),
          x.tools['prisma-lint'].ok ? fmtMs(x.tools['prisma-lint'].ms) : 'crash',
          fmtRatio(x.prismaLintOverCheck),
          x.tools['idxgen-check'].rssMaxMB,
          x.tools['prisma-lint'].rssMaxMB,
        ]),
      ),
    );
    for (const [id, f] of Object.entries(r.speed.fits))
      log(`fit ${id}: ${f.slopeMsPerModel} ms/model + ${f.interceptMs} ms, R² ${f.r2}`);
    for (const [name, b] of Object.entries(r.speed.builds))
      log(
        `model build ${name}: first ${b.firstLoadMs} ms, median ${b.loadMs} ms (validate ${b.validateMs}, build ${b.buildMs}), plan ${b.planMs} ms`,
      );
  }
  if (r.gains) {
    log(
      `\n== what the indexes buy (${r.gains.rowsPerMainTable.toLocaleString('en-US')} rows per main table; median ms, warm) ==`,
    );
    log(
      textTable(
        ['proposal', 'before', 'after', 'speed-up', 'server-side', 'rows', 'plan after'],
        r.gains.queries
          .filter((q) => q.before && q.after)
          .map((q) => [
            q.entryId.replace(/^[^:]+:/, '').slice(0, 60),
            fmtMs(q.before.ms),
            fmtMs(q.after.ms),
            fmtRatio(q.speedup),
            fmtRatio(q.serverSpeedup),
            q.after.rows,
            q.after.plan.slice(0, 60),
          ]),
      ),
    );
  }
  if (r.concurrency) {
    log('\n== writes while migrating (ms) ==');
    log(
      textTable(
        ['case', 'rows', 'idxgen DDL', 'max', 'p99', 'control DDL', 'max', 'p99'],
        r.concurrency.cases
          .filter((c) => !c.error)
          .map((c) => [
            c.id,
            c.rows,
            c.idxgen.ddlMs,
            c.idxgen.maxMs,
            c.idxgen.p99Ms,
            c.control.ddlMs,
            c.control.maxMs,
            c.control.p99Ms,
          ]),
      ),
    );
  }
  log('\n== targets ==');
  for (const t of r.targets)
    log(`${t.met ? 'MET   ' : 'MISSED'} ${t.target}: ${t.measured}${t.note ? ` (${t.note})` : ''}`);
}

module.exports = { evaluateTargets, renderMarkdown, printSummary };
