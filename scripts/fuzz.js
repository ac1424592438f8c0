#!/usr/bin/env node
'use strict';
/**
 * npm run fuzz -- [--seed N] [--cases N] [--case I] [--spawn-every N] [--timeout-ms N] [--max-schema-chars N]
 *
 * Runs the fuzzer of __tests__/fuzz/engine.ts on the built code (dist/, bin/idxgen.js): thousands
 * of mutated corpus schemas and flags. Prints one summary line, then each failure with the seed and
 * case number that replay it (`--case I` runs that case alone). Exit 1 when a case failed.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ts = require('typescript');

const REPO = path.resolve(__dirname, '..');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`fuzz: --${name} needs a whole number\n`);
    process.exit(2);
  }
  return value;
}

/** engine.ts imports only node built-ins and types: a plain transpile runs it. */
function loadEngine() {
  const source = fs.readFileSync(path.join(REPO, '__tests__', 'fuzz', 'engine.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-fuzz-engine-')), 'engine.js');
  fs.writeFileSync(file, outputText);
  return require(file);
}

async function run() {
  const engine = loadEngine();
  const { main } = require(path.join(REPO, 'dist', 'cli', 'main.js'));
  const seed = option('seed', Math.floor(Date.now() / 1000) % 1_000_000);
  const only = option('case', -1);
  const cases = option('cases', 2000);
  const options = {
    main,
    seed,
    cases: only >= 0 ? only + 1 : cases,
    repo: REPO,
    timeoutMs: option('timeout-ms', 30_000),
    spawnEvery: option('spawn-every', 100),
    maxSchemaChars: option('max-schema-chars', 20_000),
    onCase: (result) => {
      if (result.problems.length > 0 && !result.knownFailure)
        process.stderr.write(`${engine.describeFailure(seed, result)}\n`);
    },
  };
  if (only >= 0) {
    // Replay one case: print it, then run it alone.
    const c = engine.makeCase(engine.loadCorpus(REPO), seed, only, options.maxSchemaChars);
    process.stdout.write(
      `${JSON.stringify({ source: c.source, mutations: c.mutations, argv: c.argv, known: c.known })}\n--- schema.prisma ---\n${c.schema}\n---\n`,
    );
    options.from = only;
  }
  const summary = await engine.runFuzz(options);
  process.stdout.write(`${engine.describeSummary(summary).split('\n')[0]}\n`);
  process.exitCode = summary.failures.length > 0 ? 1 : 0;
}

run().catch((error) => {
  process.stderr.write(`fuzz: ${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 3;
});
