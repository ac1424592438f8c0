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
 * runner's sandbox has its own error classes).
 */
function isCrash(error: unknown): error is Error {
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
