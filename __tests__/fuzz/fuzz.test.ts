import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { describeFailure, describeSummary, runFuzz } from './engine';

/**
 * Two hundred mutated corpus schemas and flags through the real CLI code path (in-process
 * `main()`, every 100th case also through bin/idxgen.js): no exit 3, no stack trace, no hang, and
 * every exit 2 about the schema says file:line:col. `npm run fuzz -- --seed N --cases N` runs
 * thousands; a failure prints the seed and case number that replay it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const CASES = Number(process.env.FUZZ_CASES ?? 200);

test(`fuzz: ${CASES} mutated schemas and flags, seed ${SEED}`, async () => {
  const summary = await runFuzz({
    main,
    seed: SEED,
    cases: CASES,
    repo: path.resolve(__dirname, '..', '..'),
    timeoutMs: 20_000,
    spawnEvery: 100,
    maxSchemaChars: 4_000,
  });
  const report = describeSummary(summary);
  if (process.env.FUZZ_REPORT) process.stderr.write(`${report}\n`);
  expect(summary.failures.map((f) => describeFailure(SEED, f))).toEqual([]);
  // The run exercised every outcome: clean, findings and bad input.
  for (const code of ['0', '1', '2'])
    expect({ code, seen: (summary.codes[code] ?? 0) > 0 }).toEqual({ code, seen: true });
  expect(report).toMatch(/^fuzz: seed \d+, \d+ cases/);
}, 600_000);
