/**
 * Collects shapes in memory, merged by shape with a count, and appends them to the file as JSON
 * lines when flushed: on process exit, when `maxShapes` distinct shapes are held (so memory stays
 * bounded however long the process runs), or when the application calls `flushQueryShapes()`.
 */
import * as path from 'node:path';
import { appendLines } from '../io/append-lines';
import type { RecordedShape } from '../workload/recorded-shape';
import { shapeKey } from '../workload/recorded-shape';

const MAX_CALL_SITES = 5;

export class ShapeRecorder {
  private readonly shapes = new Map<string, RecordedShape>();

  constructor(
    readonly file: string,
    private readonly maxShapes: number,
  ) {}

  add(shape: RecordedShape, callSite?: string): void {
    const key = shapeKey(shape);
    const held = this.shapes.get(key);
    if (held) {
      held.count += 1;
      if (callSite && held.callSites && held.callSites.length < MAX_CALL_SITES && !held.callSites.includes(callSite))
        held.callSites.push(callSite);
      return;
    }
    if (callSite) shape.callSites = [callSite];
    this.shapes.set(key, shape);
    if (this.shapes.size >= this.maxShapes) this.flush();
  }

  flush(): void {
    if (this.shapes.size === 0) return;
    const lines = [...this.shapes.values()].map((shape) => JSON.stringify(shape));
    this.shapes.clear();
    appendLines(this.file, lines);
  }
}

const recorders = new Map<string, ShapeRecorder>();
let exitHookInstalled = false;

/** One recorder per file, so that several clients in one process share a buffer. */
export function recorderFor(file: string, maxShapes: number): ShapeRecorder {
  const absolute = path.resolve(file);
  let recorder = recorders.get(absolute);
  if (!recorder) {
    recorder = new ShapeRecorder(absolute, maxShapes);
    recorders.set(absolute, recorder);
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', flushAll);
  }
  return recorder;
}

/** Writes every shape held so far (each recorder's file gets one append). */
export function flushAll(): void {
  for (const recorder of recorders.values()) recorder.flush();
}
