'use strict';
/**
 * In-process model build of one schema, in a fresh process so nothing else is warm:
 *   node bench/model-build.js <schema.prisma> <runs>
 * Prints JSON: the first loadSchema() call (pays WASM instantiation and JIT warm-up) and the
 * median of the following calls, each split into Prisma's validator and idxgen's own model build,
 * plus planModel() on the result.
 */
const os = require('node:os');
const { dist, median } = require('./lib');

const { loadSchema } = dist('schema/load.js');
const { readSchemaFiles } = dist('io/read-schema.js');
const { validateWithPrisma, knownPreviewFeatures } = dist('schema/validate.js');
const { sanitizeLegacySyntax } = dist('schema/legacy.js');
const { buildModel } = dist('schema/build-model.js');
const { planModel, rules } = dist('cli/context.js');
const { readConfig } = dist('io/read-config.js');

const file = require('node:path').resolve(process.argv[2]);
const runs = Number(process.argv[3] ?? 7);
const sources = readSchemaFiles([file], '/');
const config = readConfig(os.tmpdir(), rules, undefined);

const t0 = performance.now();
const first = loadSchema(sources);
const firstMs = performance.now() - t0;

const load = [];
const validate = [];
const build = [];
const plan = [];
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  const loaded = loadSchema(sources);
  load.push(performance.now() - t);
  // The two halves of loadSchema, timed apart.
  const { sources: validated } = sanitizeLegacySyntax(sources, knownPreviewFeatures());
  t = performance.now();
  validateWithPrisma(validated);
  validate.push(performance.now() - t);
  t = performance.now();
  buildModel(validated);
  build.push(performance.now() - t);
  t = performance.now();
  planModel(loaded.model, config);
  plan.push(performance.now() - t);
}
process.stdout.write(
  `${JSON.stringify({
    models: first.model.tables.filter((t) => t.kind === 'model').length,
    firstLoadMs: firstMs,
    loadMs: median(load),
    validateMs: median(validate),
    buildMs: median(build),
    planMs: median(plan),
    runs,
  })}\n`,
);
