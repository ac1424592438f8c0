/**
 * The one instance of Prisma's schema WASM (@prisma/prisma-schema-wasm, and the older majors'
 * builds under their aliases) in the process, used by the validator (validate.ts).
 *
 * A WASM trap ("memory access out of bounds", "unreachable") or a stack overflow inside the module
 * leaves the instance broken: Rust's shadow stack pointer and allocator are never restored, and
 * measured on 7.10, every later call on the same instance traps too, even on a one-line schema.
 * `callPrismaSchemaWasm` therefore drops the instance on such a failure; the next call loads a
 * fresh one (~35 ms), so a long-lived process (tests, a library user) keeps working.
 */

export interface PrismaSchemaWasm {
  validate(params: string): void;
  lint(input: string): string;
  preview_features(): string;
  format(schema: string, params: string): string;
  /** The instance's own exports, as wasm-bindgen exposes them (5.22, 6.19 and 7.10 alike). */
  __wasm?: unknown;
}

/** The bundled validator (Prisma 7); older majors' builds are installed under npm aliases. */
export const PRISMA_SCHEMA_WASM = '@prisma/prisma-schema-wasm';

const instances = new Map<string, PrismaSchemaWasm>();

function load(module: string): PrismaSchemaWasm {
  // Loaded on first use: instantiating the module costs ~35 ms.
  let instance = instances.get(module);
  if (!instance) {
    instance = require(module) as PrismaSchemaWasm;
    instances.set(module, instance);
  }
  return instance;
}

/** Whether `module` was loaded in this process. */
export function prismaSchemaWasmLoaded(module: string): boolean {
  return instances.has(module);
}

/** The module failed inside WASM itself (not an answer about the schema); the instance was discarded. */
export class PrismaWasmCrash extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
    this.name = 'PrismaWasmCrash';
  }
}

/**
 * Is this error a crash of the WASM code (a trap: `WebAssembly.RuntimeError`, or a stack overflow:
 * `RangeError`), as opposed to an error it returned? By name, so it holds across realms (a test
 * runner's sandbox has its own error classes). Self-contained: the worker runs its source text too.
 */
export function isCrash(error: unknown): error is Error {
  return error instanceof Error && (error.name === 'RuntimeError' || error.name === 'RangeError');
}

/** Drops the current instance of `module`: the next call instantiates it again. */
export function discardPrismaSchemaWasm(module: string = PRISMA_SCHEMA_WASM): void {
  instances.delete(module);
  // The package instantiates its module when it is first required: forget it so the next
  // require runs that again, on fresh memory.
  delete require.cache[require.resolve(module)];
}

/**
 * Runs `call` on the instance. A crash inside WASM discards the instance and is rethrown as a
 * `PrismaWasmCrash`; any other error (Prisma's answer, such as a validation error) passes through.
 */
export function callPrismaSchemaWasm<T>(call: (wasm: PrismaSchemaWasm) => T, module: string = PRISMA_SCHEMA_WASM): T {
  const wasm = load(module);
  try {
    return call(wasm);
  } catch (error) {
    if (!isCrash(error)) throw error;
    if (instances.get(module) === wasm) discardPrismaSchemaWasm(module);
    throw new PrismaWasmCrash(error);
  }
}

/** The version of `module` as installed (its package.json), or undefined when it cannot be read. */
export function installedVersion(module: string): string | undefined {
  try {
    const { version } = require(`${module}/package.json`) as { version?: unknown };
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The WASM memory Prisma's validator ends with: its own ~2 MB (a fresh instance has 1.6 MB), and
 * per character of its input (the JSON `validate` is given) at most 40 bytes: measured 22–42 on
 * the corpus and on generated schemas of 0.3–3 MB (the example's 23 kB: 2.5 MB of memory; civitai's
 * 299 kB: 7.8 MB; 5,000 generated models, 3.2 MB: 99 MB).
 */
const MEMORY_BASE = 2 << 20;
const MEMORY_PER_INPUT_CHAR = 40;
/** Rust's allocator takes at most 2 GiB at once; a schema that needs more fails in validate itself. */
const MAX_RESERVE = 1 << 30;

/** The memory to reserve before `validate` reads `inputLength` characters. */
export function validatorMemoryFor(inputLength: number): number {
  return Math.min(MEMORY_BASE + inputLength * MEMORY_PER_INPUT_CHAR, MAX_RESERVE);
}

/**
 * Grows the instance's memory in one step to `bytes`, by allocating the difference and freeing it
 * at once: Rust's allocator keeps the freed block and serves the validation from it. Left to itself
 * it grows the memory a little at a time, and every growth hands V8 a new ArrayBuffer of the whole
 * memory, counted as fresh external memory: past 64 MB each one forces a full garbage collection
 * of the thread's heap (a 3 MB schema: 21 of them, 152 with incremental marking off, ~180 ms each
 * on `generate`'s 115 MB heap; BENCHMARKS.md, "seventh session").
 *
 * Self-contained (no imports, no closure): the worker runs its source text (prisma-wasm-worker.ts).
 * Returns false when the instance lacks the exports (nothing done); throws what the allocator
 * throws (a trap when the memory cannot grow: the instance is then broken, see above).
 */
export function reserveWasmMemory(exports: unknown, bytes: number): boolean {
  const wasm = exports as {
    memory?: { buffer?: { byteLength?: unknown } };
    __wbindgen_malloc?: (size: number, align: number) => number;
    __wbindgen_free?: (ptr: number, size: number, align: number) => void;
  } | null;
  const size = wasm?.memory?.buffer?.byteLength;
  if (
    typeof size !== 'number' ||
    typeof wasm?.__wbindgen_malloc !== 'function' ||
    typeof wasm.__wbindgen_free !== 'function'
  )
    return false;
  const missing = Math.floor(bytes - size);
  if (missing <= 0) return true;
  wasm.__wbindgen_free(wasm.__wbindgen_malloc(missing, 1), missing, 1);
  return true;
}
