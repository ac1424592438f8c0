/**
 * The validator's memory is grown once, before `validate`, to what the validation uses
 * (src/schema/prisma-wasm.ts: `reserveWasmMemory`): every growth during `validate` would hand V8 a
 * new ArrayBuffer of the whole memory and, past 64 MB, force a full garbage collection.
 *
 * Each case runs in a fresh Node process on the built code (`npm run build`): a used instance has
 * grown already, and the test runner's module registry cannot forget one.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PRISMA_SCHEMA_WASM, reserveWasmMemory } from '../../src/schema/prisma-wasm';
import { DATASOURCE, EXAMPLE_SCHEMA, REPO } from '../support/cli';

const DIST = path.join(REPO, 'dist');

function inFreshProcess(script: string): unknown {
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as unknown;
}

/**
 * Validates the example schema through `validateWithPrisma`, its instance's `validate` wrapped to
 * see whether the memory grew meanwhile (a growth replaces `memory.buffer`).
 */
function validateExample(reserve: boolean): { diagnostics: unknown[]; grewDuringValidate: boolean; memory: number } {
  return inFreshProcess(`
    const fs = require('node:fs');
    const wasmModule = require(${JSON.stringify(PRISMA_SCHEMA_WASM)});
    const wasm = wasmModule.__wasm;
    if (!${reserve}) delete wasmModule.__wasm;
    const validate = wasmModule.validate;
    let grewDuringValidate;
    wasmModule.validate = (params) => {
      const before = wasm.memory.buffer;
      try { return validate(params); } finally { grewDuringValidate = wasm.memory.buffer !== before; }
    };
    const { validateWithPrisma } = require(${JSON.stringify(path.join(DIST, 'schema', 'validate.js'))});
    const content = fs.readFileSync(${JSON.stringify(EXAMPLE_SCHEMA)}, 'utf8');
    const diagnostics = validateWithPrisma([{ path: 'schema.prisma', content }]);
    process.stdout.write(JSON.stringify({ diagnostics, grewDuringValidate, memory: wasm.memory.buffer.byteLength }));
  `) as { diagnostics: unknown[]; grewDuringValidate: boolean; memory: number };
}

describe("the validator's memory", () => {
  test('is grown before validate, and validate itself does not grow it', () => {
    const reserved = validateExample(true);
    expect(reserved.diagnostics).toEqual([]);
    expect(reserved.grewDuringValidate).toBe(false);
    // The control: without the reservation (no exports to reach), the same validation grows it.
    const unreserved = validateExample(false);
    expect(unreserved.diagnostics).toEqual([]);
    expect(unreserved.grewDuringValidate).toBe(true);
    expect(reserved.memory).toBeGreaterThan(unreserved.memory);
  });

  test('an allocator that traps leaves a fresh instance to validate on', () => {
    const out = inFreshProcess(`
      const first = require(${JSON.stringify(PRISMA_SCHEMA_WASM)});
      first.__wasm = {
        memory: first.__wasm.memory,
        __wbindgen_malloc() { throw new WebAssembly.RuntimeError('unreachable'); },
        __wbindgen_free() {},
      };
      const { validateWithPrisma } = require(${JSON.stringify(path.join(DIST, 'schema', 'validate.js'))});
      const diagnostics = validateWithPrisma([{ path: 'schema.prisma', content: ${JSON.stringify(
        `${DATASOURCE}\nmodel User {\n  id Int @id\n}\n`,
      )} }]);
      const replaced = require(${JSON.stringify(PRISMA_SCHEMA_WASM)}) !== first;
      process.stdout.write(JSON.stringify({ diagnostics, replaced }));
    `);
    expect(out).toEqual({ diagnostics: [], replaced: true });
  });

  test('an instance without wasm-bindgen’s exports is left as it is', () => {
    expect(reserveWasmMemory(undefined, 1 << 20)).toBe(false);
    expect(reserveWasmMemory({ memory: { buffer: { byteLength: 1 } } }, 1 << 20)).toBe(false);
    const calls: string[] = [];
    const fake = {
      memory: { buffer: { byteLength: 4096 } },
      __wbindgen_malloc: (size: number, align: number) => (calls.push(`malloc ${size} ${align}`), 8),
      __wbindgen_free: (ptr: number, size: number, align: number) => void calls.push(`free ${ptr} ${size} ${align}`),
    };
    expect(reserveWasmMemory(fake, 1000)).toBe(true);
    expect(calls).toEqual([]);
    expect(reserveWasmMemory(fake, 10_000)).toBe(true);
    expect(calls).toEqual(['malloc 5904 1', 'free 8 5904 1']);
  });
});
