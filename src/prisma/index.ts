/**
 * `idxgen/prisma`: a Prisma Client extension that records the shape of every query the
 * application makes (never its values), for `idxgen plan|check|generate --queries FILE`.
 *
 *   import { recordQueryShapes } from 'idxgen/prisma';
 *   const prisma = new PrismaClient(...).$extends(recordQueryShapes({ file: 'query-shapes.jsonl' }));
 *
 * Shapes are appended to the file as JSON lines on process exit; call `flushQueryShapes()` where
 * a process ends without an 'exit' event (a killed worker) or to write earlier.
 */
import { flushAll, recorderFor } from './recorder';
import { shapeOfCall, type RuntimeDataModel } from './shape-of-call';

export interface RecordQueryShapesOptions {
  /** The JSON-lines file the shapes are appended to. */
  file: string;
  /** Also record the application's call site (`file:line`) of each shape: costs a stack trace per query. */
  callSites?: boolean;
  /** Distinct shapes held in memory before they are appended to the file (default 10,000). */
  maxShapes?: number;
}

interface OperationCall {
  model?: string;
  operation: string;
  args: unknown;
  query: (args: unknown) => Promise<unknown>;
  /** Prisma's own (Prisma 5–7): `callsite` is where the application called the delegate. */
  __internalParams?: { callsite?: { getLocation?: () => { fileName?: string; lineNumber?: number } | null } };
}

interface ExtendableClient {
  $extends(extension: unknown): unknown;
}

/**
 * The extension, in the function form that `$extends` takes: the client keeps its type, because
 * recording changes no query and no result.
 */
export function recordQueryShapes(options: RecordQueryShapesOptions): <Client>(client: Client) => Client {
  if (!options || typeof options.file !== 'string' || options.file === '') {
    throw new TypeError('recordQueryShapes: options.file must name the JSON-lines file to append shapes to');
  }
  const recorder = recorderFor(options.file, options.maxShapes ?? 10_000);
  const withCallSites = options.callSites === true;
  return <Client>(client: Client): Client => {
    const dataModel = (client as { _runtimeDataModel?: RuntimeDataModel })._runtimeDataModel;
    return (client as ExtendableClient).$extends({
      name: 'idxgen-record-query-shapes',
      query: {
        $allModels: {
          $allOperations(call: OperationCall) {
            const { model, operation, args, query } = call;
            if (model !== undefined)
              recorder.add(shapeOfCall(model, operation, args, dataModel), withCallSites ? callSite(call) : undefined);
            return query(args);
          },
        },
      },
    }) as Client;
  };
}

/** Appends the shapes recorded so far to their files now. */
export function flushQueryShapes(): void {
  flushAll();
}

/**
 * Where the application called the delegate, as `file:line` relative to the cwd. Prisma runs the
 * query lazily (when it is awaited), so the stack here no longer holds the application's frame:
 * Prisma captured it when the delegate was called, for its own error messages.
 */
function callSite(call: OperationCall): string | undefined {
  let location: { fileName?: string; lineNumber?: number } | null | undefined;
  try {
    location = call.__internalParams?.callsite?.getLocation?.();
  } catch {
    return undefined;
  }
  if (!location?.fileName || location.lineNumber === undefined) return undefined;
  return `${relativeToCwd(location.fileName.replace(/^file:\/\//, ''))}:${location.lineNumber}`;
}

function relativeToCwd(file: string): string {
  const cwd = process.cwd();
  return file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : file;
}

export type { RecordedShape } from '../workload/recorded-shape';
