'use strict';
/**
 * `plan --queries` with a large recording: 10,000 distinct shapes over the bundled example's
 * models (every model, filters on 1–3 of its scalar fields with mixed operators, half sorted, some
 * relation filters and nested reads), planned by the real binary. Prints JSON
 * { shapes, planMs (median), baselineMs (plan without --queries), proposals }.
 *
 *   node bench/workload-plan.js [--quick] [--shapes N]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const shapesArg = args.indexOf('--shapes');
const SHAPES = shapesArg >= 0 ? Number(args[shapesArg + 1]) : quick ? 2_000 : 10_000;
const RUNS = quick ? 3 : 7;

const { loadSchema } = require(path.join(ROOT, 'dist', 'schema', 'load.js'));
const schemaPath = path.join(ROOT, 'prisma', 'schema.prisma');
const { model } = loadSchema([{ path: schemaPath, content: fs.readFileSync(schemaPath, 'utf8') }]);

// A deterministic generator (mulberry32; no Math.random: the same file every run).
let seed = 20261206;
const next = (n) => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n) | 0;
};
const OPS = ['equals', 'equals', 'equals', 'in', 'gte', 'lt', 'isNull', 'contains'];
const tables = model.tables.filter((t) => t.kind === 'model' && t.columns.length > 1);
const lines = new Set();
const seen = new Set();
for (let tries = 0; lines.size < SHAPES; tries++) {
  if (tries > SHAPES * 50) throw new Error(`only ${lines.size} distinct shapes after ${tries} tries`);
  const table = tables[next(tables.length)];
  const scalars = table.columns.filter((c) => !c.list && c.type !== 'Json');
  const n = 1 + next(3);
  const conds = [];
  for (let i = 0; i < n; i++) {
    const c = scalars[next(scalars.length)];
    let op = OPS[next(OPS.length)];
    if (op === 'contains' && c.type !== 'String') op = 'equals';
    if (op === 'isNull' && !c.nullable) op = 'equals';
    conds.push({ field: c.field, op });
  }
  const shape = { v: 1, model: table.model, operation: next(4) === 0 ? 'count' : 'findMany' };
  shape.where = conds.length === 1 ? conds[0] : { and: conds };
  if (next(2) === 0)
    shape.orderBy = [{ path: [scalars[next(scalars.length)].field], direction: next(2) ? 'desc' : 'asc' }];
  if (next(2) === 0) shape.take = true;
  const rel = (table.relations ?? [])[next(Math.max(1, (table.relations ?? []).length))];
  if (rel && next(3) === 0) shape.reads = [{ relation: rel.field }];
  const key = JSON.stringify(shape);
  if (seen.has(key)) continue; // distinct shapes: equal ones would merge into one line
  seen.add(key);
  shape.count = 1 + next(5000);
  lines.add(JSON.stringify(shape));
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-wl-bench-'));
const file = path.join(dir, 'shapes.jsonl');
fs.writeFileSync(file, [...lines].join('\n') + '\n');

function time(extra) {
  const started = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bin', 'idxgen.js'), 'plan', '--no-cache', '--format', 'json', '--schema', schemaPath, ...extra],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`plan exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  return { ms, out: r.stdout };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const withQ = [];
const without = [];
let proposals = 0;
for (let i = 0; i < RUNS; i++) {
  without.push(time([]).ms);
  const r = time(['--queries', file]);
  withQ.push(r.ms);
  proposals = JSON.parse(r.out).entries.filter((e) => e.ruleId === 'workload-index').length;
}
if (!process.env.KEEP) fs.rmSync(dir, { recursive: true, force: true });
else process.stderr.write(`kept ${file}\n`);
process.stdout.write(
  `${JSON.stringify({ shapes: SHAPES, runs: RUNS, planMs: Math.round(median(withQ)), baselineMs: Math.round(median(without)), workloadProposals: proposals })}\n`,
);
