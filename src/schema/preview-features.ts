/**
 * `preview_features()` of the validator idxgen pins (package.json: @prisma/prisma-schema-wasm), so
 * sanitizing a schema does not need the WASM loaded (validate.ts `knownPreviewFeatures`). Used
 * only when the installed build is this version; __tests__/schema/preview-features.test.ts asks
 * the installed validator and fails when the two differ (update both together).
 */
export const PREVIEW_FEATURES = {
  validator: '7.10.0-4.0edf323efd1d98336f3f0a68684b56f689b900d3',
  features: [
    'nativeDistinct',
    'partialIndexes',
    'postgresqlExtensions',
    'relationJoins',
    'schemaEngineDriverAdapters',
    'shardKeys',
    'strictUndefinedChecks',
    'typedSql',
    'views',
  ],
} as const;
