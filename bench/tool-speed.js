'use strict';
/**
 * Part 1, tool speed: cold-process wall time and peak RSS of `idxgen check`, `idxgen plan` and
 * prisma-lint 0.13.1 (require-field-index, forAllRelations) on the same files, run side by side
 * (each repetition runs the three tools back to back, in rotating order, so they share the
 * machine's noise). Plus the in-process model build, and a CPU profile of `idxgen check` on civitai.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, CODE, DIST, median, linearFit, measureNode, round } = require('./lib');
const { generateSchema } = require('./gen-schema');

const PRISMA_LINT_BIN = path.join(ROOT, 'node_modules', 'prisma-lint', 'dist', 'cli.js');
const IDXGEN_BIN = path.join(CODE, 'bin', 'idxgen.js');
const { corpusDir } = require('../scripts/corpus-dir');
const CORPUS_DIR = corpusDir(ROOT);

// idxgen check/plan run without the validation cache: a first run, or a hook run after the schema
// changed, pays for Prisma's validator. idxgen-check-cached is the repeat run on an unchanged
// schema (one unmeasured run fills the cache first); measured on civitai and the example only.
const NO_CACHE = { IDXGEN_NO_CACHE: '1' };
const TOOLS = [
  { id: 'idxgen-check', args: (file) => [IDXGEN_BIN, 'check', '--schema', file], env: NO_CACHE },
  { id: 'idxgen-plan', args: (file) => [IDXGEN_BIN, 'plan', '--schema', file], env: NO_CACHE },
  { id: 'idxgen-check-cached', args: (file) => [IDXGEN_BIN, 'check', '--schema', file], env: {}, warmup: true },
  { id: 'prisma-lint', args: (file, cfg) => [PRISMA_LINT_BIN, '-c', cfg, '-o', 'json', '--no-color', file], env: {} },
  // The floor under a cold `check` that validates: a fresh Node running Prisma's validator alone on
  // the schema as idxgen hands it over (sanitized, prepared by validatorAlone), with idxgen's
  // WebAssembly flags, no idxgen code. Measured on civitai only.
  {
    id: 'validator-alone',
    args: (file, cfg, input) => [...WASM_FLAGS, VALIDATOR_ALONE_SCRIPT, input.validatorInput],
    env: {},
  },
];
const CACHED_ON = new Set(['civitai', 'example']);
const VALIDATOR_ALONE_ON = new Set(['civitai']);
const VALIDATOR_ALONE_SCRIPT = path.join(__dirname, 'validator-alone.js');
const WASM_FLAGS = ['--no-wasm-tier-up', '--no-wasm-dynamic-tiering'];

/**
 * Set on this machine kind (to the system CA bundle), read by Node 20 before any JavaScript runs:
 * every process of both tools pays it. Where it is set, civitai is measured once more without it.
 */
const START_UP_VARIABLE = 'NODE_EXTRA_CA_CERTS';

const WORKER_START_SCRIPT = [
  "const { Worker } = require('node:worker_threads');",
  'const t0 = performance.now();',
  'const w = new Worker("require(\'node:worker_threads\').parentPort.postMessage(0)", { eval: true });',
  "w.once('message', () => { process.stdout.write(String(performance.now() - t0)); w.terminate(); });",
].join('\n');

/**
 * Cache off, the validator worker runs where an idle machine starts it (src/cli/prestart.ts): for a
 * schema of WORKER_MIN_SCHEMA_BYTES (20 kB) or more. Left to itself the bin also asks the load average, which these
 * back-to-back runs raise on 2 cores: the worker then came and went between repetitions of one
 * schema (civitai's `plan`: 398 ms with it, 505-524 ms without, in one median of 5).
 */
function coldEnv(tool, input) {
  if (tool.env !== NO_CACHE) return tool.env;
  const { WORKER_MIN_SCHEMA_BYTES } = require(path.join(DIST, 'cli', 'prestart.js'));
  return { ...NO_CACHE, IDXGEN_VALIDATOR_WORKER: input.bytes >= WORKER_MIN_SCHEMA_BYTES ? '1' : '0' };
}

const countModels = (text) => (text.match(/^[ \t]*model[ \t]+\w+[ \t]*\{/gm) ?? []).length;

/** The inputs: the bundled example, every corpus schema, generated schemas. */
function inputs(work, sizes) {
  const list = [{ name: 'example', kind: 'example', file: path.join(ROOT, 'prisma', 'schema.prisma') }];
  if (CORPUS_DIR !== null) {
    for (const f of fs
      .readdirSync(CORPUS_DIR)
      .filter((f) => f.endsWith('.prisma'))
      .sort()) {
      list.push({
        name: f.replace(/\.prisma$/, '').replace(/__.*$/, ''),
        kind: 'corpus',
        file: path.join(CORPUS_DIR, f),
      });
    }
  }
  for (const n of sizes) {
    const file = path.join(work, `generated-${n}.prisma`);
    fs.writeFileSync(file, generateSchema(n, 42));
    list.push({ name: `generated-${n}`, kind: 'generated', file });
  }
  for (const input of list) {
    const text = fs.readFileSync(input.file, 'utf8');
    input.models = countModels(text);
    input.lines = text.split('\n').length;
    input.bytes = Buffer.byteLength(text);
  }
  return list;
}

function outcome(tool, r) {
  if (tool === 'validator-alone') {
    return r.code === 0 ? { ok: true } : { ok: false, reason: `exit ${r.code}: ${r.stderr.trim().slice(0, 160)}` };
  }
  if (tool.startsWith('idxgen')) {
    // 0 clean, 1 findings: both are successful runs; 2 bad input, 3 internal error.
    if (r.code === 0 || r.code === 1) return { ok: true };
    return { ok: false, reason: `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n')[0].slice(0, 160)}` };
  }
  // prisma-lint prints its JSON report on stderr and exits 1 when it finds anything.
  const out = `${r.stdout}${r.stderr}`;
  if (out.includes('{"violations"')) {
    // Counted, not parsed: on big schemas its report can arrive cut short when it exits.
    return { ok: true, findings: (out.match(/"ruleName":"require-field-index"/g) ?? []).length };
  }
  return {
    ok: false,
    reason: `crashed (exit ${r.code}): ${
      out
        .trim()
        .split('\n')
        .find((l) => l.trim()) ?? ''
    }`.slice(0, 200),
  };
}

const defaultToolIds = (input) =>
  TOOLS.map((t) => t.id).filter(
    (id) =>
      (id !== 'idxgen-check-cached' || CACHED_ON.has(input.name)) &&
      (id !== 'validator-alone' || input.validatorInput !== undefined),
  );

/** `unset`: variables of this process the tools run without (START_UP_VARIABLE). */
async function measureInput(input, reps, cfg, log, toolIds = defaultToolIds(input), unset = []) {
  const runs = Object.fromEntries(TOOLS.map((t) => [t.id, []]));
  const tools = TOOLS.filter((t) => toolIds.includes(t.id));
  for (const tool of tools.filter((t) => t.warmup))
    await measureNode(tool.args(input.file, cfg, input), { env: tool.env, unset });
  for (let rep = 0; rep < reps; rep++) {
    // Rotate the order so no tool always runs first after the previous input.
    const order = tools.map((_, i) => tools[(i + rep) % tools.length]);
    for (const tool of order) {
      const r = await measureNode(tool.args(input.file, cfg, input), { env: coldEnv(tool, input), unset });
      runs[tool.id].push({ rep, ms: r.ms, rssKB: r.rssKB, ...outcome(tool.id, r) });
    }
  }
  const row = { name: input.name, kind: input.kind, models: input.models, lines: input.lines, reps, tools: {} };
  for (const tool of TOOLS) {
    const rs = runs[tool.id];
    if (rs.length === 0) {
      row.tools[tool.id] = {
        ok: true,
        skipped: true,
        error: null,
        ms: null,
        msAll: [],
        rssMB: null,
        rssMaxMB: null,
        findings: null,
      };
      continue;
    }
    const ok = rs.filter((r) => r.ok);
    row.tools[tool.id] = {
      ok: ok.length === rs.length,
      error: rs.find((r) => !r.ok)?.reason ?? null,
      ms: round(median(rs.map((r) => r.ms)), 1),
      msMin: round(Math.min(...rs.map((r) => r.ms)), 1),
      msAll: rs.map((r) => round(r.ms, 1)),
      rssMB: round(median(rs.map((r) => r.rssKB / 1024)), 1),
      rssMaxMB: round(Math.max(...rs.map((r) => r.rssKB / 1024)), 1),
      findings: ok[0]?.findings ?? null,
    };
  }
  // Side by side: the ratio inside each repetition, then the median of those ratios.
  const ratios = [];
  for (let rep = 0; rep < reps; rep++) {
    const a = runs['prisma-lint'][rep];
    const b = runs['idxgen-check'][rep];
    if (a && b) ratios.push(a.ms / b.ms);
  }
  row.prismaLintOverCheck = round(median(ratios), 2);
  const t = row.tools;
  const cached = t['idxgen-check-cached'].skipped ? '' : ` (cached ${t['idxgen-check-cached'].ms} ms)`;
  const alone = t['validator-alone'].skipped ? '' : `  validator alone ${t['validator-alone'].ms} ms`;
  const without = unset.length > 0 ? ` (without ${unset.join(', ')})` : '';
  log(
    `  ${input.name.padEnd(22)} ${String(input.models).padStart(5)} models  check ${t['idxgen-check'].ms} ms${cached}  plan ${t['idxgen-plan'].skipped ? '–' : `${t['idxgen-plan'].ms} ms`}  prisma-lint ${t['prisma-lint'].ms} ms${t['prisma-lint'].ok ? '' : ' (crashed)'}  ratio ${row.prismaLintOverCheck}${alone}${without}`,
  );
  return row;
}

/**
 * The schema text idxgen's check hands to Prisma's validator (Prisma 7's: a Prisma 5/6 datasource
 * `url` and removed preview features blanked in place, src/schema/legacy.ts), written for the
 * 'validator-alone' tool.
 */
function prepareValidatorAlone(input, work) {
  const { sanitizeLegacySyntax } = require(path.join(DIST, 'schema', 'legacy.js'));
  const { knownPreviewFeatures } = require(path.join(DIST, 'schema', 'validate.js'));
  const source = { path: input.file, content: fs.readFileSync(input.file, 'utf8') };
  const [sanitized] = sanitizeLegacySyntax([source], knownPreviewFeatures()).sources;
  input.validatorInput = path.join(work, `validator-input-${input.name}.prisma`);
  fs.writeFileSync(input.validatorInput, sanitized.content);
}

async function modelBuild(file, runs) {
  const r = await measureNode([path.join(__dirname, 'model-build.js'), file, String(runs)]);
  if (r.code !== 0) return { error: r.stderr.trim().split('\n').slice(0, 3).join(' ') };
  const j = JSON.parse(r.stdout);
  return {
    models: j.models,
    firstLoadMs: round(j.firstLoadMs, 1),
    loadMs: round(j.loadMs, 1),
    validateMs: round(j.validateMs, 1),
    buildMs: round(j.buildMs, 1),
    planMs: round(j.planMs, 1),
    runs: j.runs,
  };
}

/** One `node --cpu-prof` run of `idxgen check` on a file; self time by function and by area. */
async function cpuProfile(file, work) {
  const dir = fs.mkdtempSync(path.join(work, 'prof-'));
  // The bin runs one minified bundle (dist/cli.bundle.js), whose frames name no source file: profile
  // the same bin (same V8 flags) loading tsc's separate dist/ files instead, so the areas below can
  // tell schema, rules and report apart. That run loads more modules than the bundled one.
  const bin = path.join(dir, 'idxgen-unbundled.js');
  // (Without the code cache: that run compiles from source.)
  const text = fs.readFileSync(IDXGEN_BIN, 'utf8');
  const BUNDLE = "require('node:path').join(__dirname, '..', 'dist', 'cli.bundle.js')";
  if (!text.includes(BUNDLE))
    return { error: 'bin/idxgen.js no longer loads ../dist/cli.bundle.js: update cpuProfile' };
  fs.writeFileSync(
    bin,
    text
      .replace(BUNDLE, JSON.stringify(path.join(DIST, 'cli', 'main.js')))
      .replace("require('../dist/cli/boot.js')", `require(${JSON.stringify(path.join(DIST, 'cli', 'boot.js'))})`),
  );
  // Prisma's validator in this thread: the profile shows its share, and no worker (whose module here is
  // not the one tsc's dist/ files use) runs beside it.
  const r = await measureNode(['--cpu-prof', '--cpu-prof-dir', dir, bin, 'check', '--schema', file], {
    env: { ...NO_CACHE, IDXGEN_CODE_CACHE: '0', IDXGEN_VALIDATOR_WORKER: '0' },
  });
  const name = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!name) return { error: `no profile (exit ${r.code})` };
  const profile = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  fs.copyFileSync(path.join(dir, name), path.join(work, 'civitai-check.cpuprofile'));
  return { wallMs: round(r.ms, 0), ...summarizeProfile(profile) };
}

function frameKey(cf) {
  const url = cf.url
    .replace(`file://${CODE}/`, '')
    .replace(`file://${ROOT}/`, '')
    .replace(/^wasm:\/\/wasm\/([^-]+)-.*$/, 'wasm:$1');
  const fn = (cf.functionName || '(anonymous)').replace(/\[[0-9a-f]{16}\]/g, '');
  return `${fn.length > 90 ? `${fn.slice(0, 87)}...` : fn}${url ? ` (${url}${cf.url.startsWith('wasm') ? '' : `:${cf.lineNumber + 1}`})` : ''}`;
}

/** Where a sample's time goes, by the innermost frame that names an area we know. */
function area(stack) {
  for (let i = stack.length - 1; i >= 0; i--) {
    const { url, functionName } = stack[i];
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (url.startsWith('wasm://')) return "Prisma's validator (WASM)";
    if (url.includes('/dist/schema/')) return 'idxgen: parse + model build (dist/schema)';
    if (url.includes('/dist/rules/') || url.includes('/dist/plan/'))
      return 'idxgen: rules + plan (dist/rules, dist/plan)';
    if (url.includes('/dist/report/') || url.includes('/dist/render/') || url.includes('handlebars'))
      return 'idxgen: report rendering + templates';
    if (url.includes('prisma-schema-wasm')) return "Prisma's validator (WASM)";
  }
  for (const { url, functionName } of stack) {
    if (
      functionName === 'compileFunction' ||
      functionName === 'wrapSafe' ||
      url.includes('modules/cjs/loader') ||
      url.includes('node:internal/modules')
    )
      return 'module loading (require + compile)';
  }
  if (stack.length <= 2) return 'node startup / idle / native';
  return 'other JS (yargs, fs, …)';
}

function summarizeProfile(p) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id) => {
    const s = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) s.unshift(byId.get(cur).callFrame);
    return s;
  };
  const selfByFn = new Map();
  const inclByFn = new Map();
  const byArea = new Map();
  let total = 0;
  const stacks = new Map();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i];
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    if (!stacks.has(id)) stacks.set(id, stackOf(id));
    const stack = stacks.get(id);
    const leaf = stack[stack.length - 1];
    if (leaf.functionName === '(idle)' || leaf.functionName === '(program)') continue;
    const k = frameKey(leaf);
    selfByFn.set(k, (selfByFn.get(k) ?? 0) + dt);
    const seen = new Set();
    for (const f of stack) {
      const key = frameKey(f);
      if (seen.has(key)) continue;
      seen.add(key);
      inclByFn.set(key, (inclByFn.get(key) ?? 0) + dt);
    }
    const a = area(stack);
    byArea.set(a, (byArea.get(a) ?? 0) + dt);
  }
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([fn, ms]) => ({ fn, ms: round(ms, 1) }));
  const wanted =
    /^(loadSchema|validateWithPrisma|buildModel|parseSchema|planModel|buildPlan|runRules|readConfig|checkCommand|renderCheck|render\w*|nameEntries|require) /;
  return {
    sampledMs: round(total, 0),
    byArea: top(byArea, 12).map(({ fn, ms }) => ({ area: fn, ms })),
    topSelf: top(selfByFn, 15),
    stages: [...inclByFn]
      .filter(([k]) => wanted.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([fn, ms]) => ({ fn, ms: round(ms, 1) })),
  };
}

/**
 * @param {{quick: boolean, work: string, log: (s: string) => void}} opts
 */
async function runToolSpeed({ quick, work, log }) {
  const cfg = path.join(work, 'prismalint.json');
  fs.writeFileSync(cfg, JSON.stringify({ rules: { 'require-field-index': ['error', { forAllRelations: true }] } }));
  const sizes = quick ? [100, 250, 500] : [100, 250, 500, 1000, 2000];
  const list = inputs(work, sizes);
  for (const input of list.filter((i) => VALIDATOR_ALONE_ON.has(i.name))) prepareValidatorAlone(input, work);
  const repsFor = (input) => {
    if (quick) return input.name === 'civitai' || input.name === 'example' ? 3 : 1;
    // Issue 14's bars are medians of at least 7 cold runs.
    if (input.name === 'civitai') return 9;
    if (input.name === 'example') return 7;
    return 3;
  };
  log(`tool speed: ${list.length} schemas, ${quick ? 'quick' : 'full'} repetitions`);
  // Baselines: what any Node CLI pays, and what loading idxgen's check command costs before it reads a schema.
  const baseline = {};
  const baseReps = quick ? 3 : 5;
  const startUpVariableSet = process.env[START_UP_VARIABLE] !== undefined;
  for (const [id, argv, unset] of [
    ['node', ['-e', '0']],
    ...(startUpVariableSet ? [[`node, ${START_UP_VARIABLE} unset`, ['-e', '0'], [START_UP_VARIABLE]]] : []),
    ['require check command', ['-e', `require(${JSON.stringify(path.join(DIST, 'cli', 'commands', 'check.js'))})`]],
    // What the bin loads instead since issue 14: the whole CLI as one bundle (the check command's code is evaluated when run).
    ['require CLI bundle', ['-e', `require(${JSON.stringify(path.join(DIST, 'cli.bundle.js'))})`]],
    [
      'require prisma-schema-wasm',
      ['-e', `require(${JSON.stringify(path.join(ROOT, 'node_modules', '@prisma', 'prisma-schema-wasm'))})`],
    ],
    // What running the validator beside idxgen's work adds to it: a worker thread's start, from
    // `new Worker` to its first message (printed by the child: its innerMs).
    ['worker thread start', ['-e', WORKER_START_SCRIPT]],
  ]) {
    const runs = [];
    for (let i = 0; i < baseReps; i++) runs.push(await measureNode(argv, { unset }));
    const inner = runs.filter((r) => r.stdout.trim() !== '').map((r) => Number(r.stdout.trim()));
    baseline[id] = {
      ms: round(median(runs.map((r) => r.ms)), 1),
      rssMB: round(median(runs.map((r) => r.rssKB / 1024)), 1),
      ...(inner.length === runs.length && inner.every(Number.isFinite) ? { innerMs: round(median(inner), 1) } : {}),
    };
  }
  log(
    `  baselines: ${Object.entries(baseline)
      .map(([k, v]) => `${k} ${v.ms} ms`)
      .join(', ')}`,
  );
  const rows = [];
  let withoutStartUpVariable = null;
  for (const input of list) {
    // Quick: the other corpus schemas get one check + prisma-lint pair only.
    const toolIds =
      quick && input.kind === 'corpus' && input.name !== 'civitai' ? ['idxgen-check', 'prisma-lint'] : undefined;
    rows.push(await measureInput(input, repsFor(input), cfg, log, toolIds));
    // What a machine without the variable sees, on the schema the targets name: the same
    // repetitions right after, so both share the machine's state of the moment.
    if (startUpVariableSet && input.name === 'civitai') {
      const row = await measureInput(input, repsFor(input), cfg, log, undefined, [START_UP_VARIABLE]);
      withoutStartUpVariable = { variable: START_UP_VARIABLE, row };
    }
  }

  const fits = {};
  const generated = rows.filter((r) => r.kind === 'generated');
  for (const tool of TOOLS) {
    const fit = linearFit(
      generated
        .filter((r) => r.tools[tool.id].ok && r.tools[tool.id].ms !== null)
        .map((r) => ({ x: r.models, y: r.tools[tool.id].ms })),
    );
    // Also fitted on each size's fastest run: the noise of a shared machine only ever adds time.
    const best = linearFit(
      generated
        .filter((r) => r.tools[tool.id].ok && r.tools[tool.id].msMin !== null)
        .map((r) => ({ x: r.models, y: r.tools[tool.id].msMin })),
    );
    if (fit) {
      fits[tool.id] = {
        slopeMsPerModel: round(fit.slope, 3),
        interceptMs: round(fit.intercept, 0),
        r2: round(fit.r2, 4),
        points: generated.length,
        bestOfRuns: best
          ? { slopeMsPerModel: round(best.slope, 3), interceptMs: round(best.intercept, 0), r2: round(best.r2, 4) }
          : null,
      };
    }
  }

  log('model build (in-process, fresh process per schema)');
  const builds = {};
  const buildRuns = quick ? 3 : 7;
  for (const input of list.filter((i) => i.name === 'civitai' || i.name === 'example' || i.name === 'generated-2000')) {
    builds[input.name] = await modelBuild(input.file, buildRuns);
    log(
      `  ${input.name}: first loadSchema ${builds[input.name].firstLoadMs} ms, then median ${builds[input.name].loadMs} ms (validate ${builds[input.name].validateMs}, build ${builds[input.name].buildMs}); plan ${builds[input.name].planMs} ms`,
    );
  }

  const civitai = list.find((i) => i.name === 'civitai');
  const profile = civitai ? await cpuProfile(civitai.file, work) : null;
  if (profile && !profile.error)
    log(
      `  cpu profile (civitai check, ${profile.wallMs} ms wall): ${profile.byArea.map((a) => `${a.area} ${a.ms}`).join('; ')}`,
    );

  return { sizes, rows, fits, builds, profile, baseline, withoutStartUpVariable, os: { loadavg: os.loadavg() } };
}

module.exports = { runToolSpeed, summarizeProfile };
