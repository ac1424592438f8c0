/**
 * `--queries FILE...`: reads the query-shape recordings (JSON lines from `idxgen/prisma`) into the
 * workload, with the schema's model. A line that is not a recorded shape is bad input
 * (`file:line:col`, exit 2); a model the schema does not have is reported, not fatal (a recording
 * made before a model was renamed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, type Diagnostic } from '../errors';
import type { SchemaModel } from '../model/types';
import { readsFromRecorded } from '../workload/from-recorded';
import { parseRecordedShapes } from '../workload/parse-recorded';
import type { RecordedShape } from '../workload/recorded-shape';
import type { Workload } from '../workload/workload';

/** Recordings are merged by shape; a file this large is not one. */
const MAX_BYTES = 256 * 1024 * 1024;

export interface LoadedWorkload {
  workload: Workload;
  /** One line each: what the recording names that the schema does not have. */
  notes: string[];
}

export function readQueries(cwd: string, files: readonly string[], model: SchemaModel): LoadedWorkload {
  const shapes: RecordedShape[] = [];
  const problems: Diagnostic[] = [];
  for (const shown of files) {
    const parsed = parseRecordedShapes(readText(path.resolve(cwd, shown), shown), shown);
    shapes.push(...parsed.shapes);
    problems.push(...parsed.problems);
  }
  if (problems.length > 0) throw new UserError(problems);
  const { reads, unknownModels } = readsFromRecorded(shapes, model);
  return {
    workload: { reads, origins: [...files] },
    notes: unknownModels.map((m) => `the query shapes name model ${m}, which the schema does not have (recorded before a rename?): its reads are left out`),
  };
}

function readText(file: string, shown: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    throw new UserError([{ file: shown, message: `cannot read the query shapes (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  if (!stat.isFile()) throw new UserError([{ file: shown, message: 'not a regular file (--queries takes the JSON-lines files recordQueryShapes writes)' }]);
  if (stat.size > MAX_BYTES) throw new UserError([{ file: shown, message: `larger than ${MAX_BYTES / 1024 / 1024} MiB: not a query-shape recording` }]);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError([{ file: shown, message: `cannot read the query shapes (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
}
