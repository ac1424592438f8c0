// Stops the cluster global-setup.mjs started (same process, so globalThis is shared).
export default async function globalTeardown() {
  const cluster = globalThis.__IDXGEN_TEST_PG__;
  globalThis.__IDXGEN_TEST_PG__ = undefined;
  if (cluster) await cluster.stop();
}
