'use strict';
/**
 * `npm run corpus -- --verify` for one schema: copy it into a scratch project, `idxgen generate`
 * there (default selection: error + warn), then verify's machinery on the running cluster:
 * base apply, idxgen folders applied, coverage, EXPLAIN evidence, rollback, Prisma's drift diff.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
const { generateCommand } = require(path.join(dist, 'cli', 'commands', 'generate.js'));
const { loadAndPlan, planModel } = require(path.join(dist, 'cli', 'context.js'));
const { withoutIndexes } = require(path.join(dist, 'model', 'without-indexes.js'));
const { runVerify } = require(path.join(dist, 'verify', 'index.js'));
const { connectionUrl } = require(path.join(dist, 'db', 'client.js'));

/** Rows per table for the evidence step: enough for the planner to prefer an index (see verify). */
const ROWS = Number(process.env.IDXGEN_CORPUS_ROWS ?? 2000);

async function verifyCorpusSchema(file, connection) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-corpus-'));
  const started = performance.now();
  try {
    fs.mkdirSync(path.join(dir, 'prisma'));
    fs.copyFileSync(file, path.join(dir, 'prisma', 'schema.prisma'));
    let out = '';
    const io = {
      cwd: dir,
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      env: { NO_COLOR: '1' },
      isTTY: false,
      now: () => new Date(Date.UTC(2026, 10, 23)),
    };
    const options = {
      dryRun: false,
      includeInfo: false,
      allowDrift: false,
      previewFeatures: false,
      group: 'statement',
      format: 'text',
      timestamp: '20261123000000',
    };
    const code = await generateCommand(options, io);
    if (code !== 0) return { verify: `generate exited ${code}: ${out.split('\n')[0]}` };
    const migrationsDir = path.join(dir, 'prisma', 'migrations');
    const folders = fs.existsSync(migrationsDir)
      ? fs.readdirSync(migrationsDir).filter((f) => /^\d{14}_/.test(f)).length
      : 0;
    const planned = loadAndPlan(dir, {});
    const report = await runVerify({
      sources: planned.schema.validated,
      model: planned.schema.model,
      migrationsDir,
      target: { kind: 'url', url: connectionUrl({ ...connection, database: 'postgres' }) },
      plan: planned.plan,
      // As `idxgen verify` does: the reads of the indexes generate declared come from the plan
      // made without those declarations (after generate the schema no longer proposes them).
      planWithout: (names) => planModel(withoutIndexes(planned.schema.model, names), planned.config),
      config: planned.config,
      rowsPerTable: ROWS,
    });
    const coverage = report.steps.find((s) => s.name === 'coverage');
    const failed = report.steps.filter((s) => s.status !== 'pass');
    return {
      folders,
      unindexedAfter: coverage ? coverage.details.uncovered.length : '?',
      verify: report.ok
        ? 'pass'
        : failed
            .map(
              (s) =>
                `${s.name}: ${s.status} (${s.summary}${s.problems.length ? `; ${s.problems.slice(0, 3).join('; ')}` : ''})`,
            )
            .join(' | '),
      verifyS: ((performance.now() - started) / 1000).toFixed(1),
      steps: Object.fromEntries(report.steps.map((s) => [s.name, `${s.status} ${s.ms}ms`])),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { verifyCorpusSchema };
