/**
 * How deploy/progress events reach the console: one JSON object per line (`--format json`), one
 * text line per event (non-TTY: CI logs), or on a terminal a cli-progress bar per running build
 * with the other events printed above the bars. No colours are used, so NO_COLOR has nothing to
 * remove; a terminal with TERM=dumb or NO_COLOR set still gets the bar (it is plain characters).
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { eventText } from '../../deploy/render';
import type { DeployEvent } from '../../deploy/types';
import type { CliIO } from '../io';

export interface EventView {
  emit(event: DeployEvent): void;
  /** Removes the bars (if any). */
  close(): void;
}

/** Hides the password wherever it could appear (it never should; this is the last guard). */
export function scrubber(password: string): (text: string) => string {
  if (password.length === 0) return (t) => t;
  const forms = [...new Set([password, encodeURIComponent(password)])];
  return (text) => forms.reduce((t, p) => t.split(p).join('***'), text);
}

export function eventView(
  io: CliIO,
  format: 'text' | 'json',
  scrub: (t: string) => string,
  stream?: NodeJS.WritableStream,
): EventView {
  if (format === 'json') return { emit: (e) => io.stdout(`${scrub(JSON.stringify(e))}\n`), close: () => undefined };
  if (!io.isTTY || !stream) return { emit: (e) => io.stdout(`${scrub(eventText(e))}\n`), close: () => undefined };
  const multi = new MultiBar(
    {
      stream,
      format: '{label} |{bar}| {percentage}% {phase}{blocked}',
      hideCursor: true,
      clearOnComplete: true,
      autopadding: true,
      barsize: 30,
    },
    Presets.shades_classic,
  );
  const bars = new Map<number, SingleBar>();
  // With no bar on screen cli-progress has no redraw timer to flush its log buffer: write directly.
  const print = (text: string) => {
    if (bars.size === 0) stream.write(`${scrub(text)}\n`);
    else (multi.log(`${scrub(text)}\n`), multi.update());
  };
  return {
    emit(e) {
      if (e.event === 'progress') {
        const b = e.build;
        const payload = {
          label: `${b.index ?? '(index)'} on ${b.table}`,
          phase: b.phase,
          blocked:
            b.blockedBy.length > 0
              ? ` waiting for pid ${b.blockedBy.map((s) => `${s.pid}${s.ageSeconds !== null ? ` (open ${s.ageSeconds} s)` : ''}`).join(', ')}`
              : '',
        };
        const value = Math.round(b.percent ?? 0);
        const bar = bars.get(b.pid);
        if (bar) bar.update(value, payload);
        else bars.set(b.pid, multi.create(100, value, payload));
        multi.update(); // draw now: readings come at the poll rate anyway
        return;
      }
      if (e.event === 'build-gone') {
        const bar = bars.get(e.pid);
        if (bar) (multi.remove(bar), bars.delete(e.pid));
        return;
      }
      print(eventText(e));
    },
    close() {
      multi.stop();
    },
  };
}
