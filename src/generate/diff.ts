/**
 * A unified diff of two texts (line based, Myers' O(ND) algorithm), for `generate --dry-run` and
 * for tests that check what a schema edit changed. Pure.
 */

export type DiffOp = { op: 'equal' | 'delete' | 'insert'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The shortest edit script turning `a` into `b`, line by line. */
export function diffLines(a: string, b: string): DiffOp[] {
  const x = splitLines(a);
  const y = splitLines(b);
  // Common head and tail are cheap and make the search space small (edits are usually local).
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const ops: DiffOp[] = x.slice(0, head).map((line) => ({ op: 'equal', line }));
  ops.push(...myers(x.slice(head, x.length - tail), y.slice(head, y.length - tail)));
  ops.push(...x.slice(x.length - tail).map((line): DiffOp => ({ op: 'equal', line })));
  return ops;
}

function myers(a: string[], b: string[]): DiffOp[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let xi = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let yi = xi - k;
      while (xi < n && yi < m && a[xi] === b[yi]) {
        xi++;
        yi++;
      }
      v[offset + k] = xi;
      if (xi >= n && yi >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk back through the saved frontiers.
  const ops: DiffOp[] = [];
  let xi = n;
  let yi = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d]!;
    const k = xi - yi;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (xi > prevX && yi > prevY) {
      ops.push({ op: 'equal', line: a[--xi]! });
      yi--;
    }
    if (d === 0) break;
    if (xi === prevX) ops.push({ op: 'insert', line: b[--yi]! });
    else ops.push({ op: 'delete', line: a[--xi]! });
  }
  while (xi > 0 && yi > 0) {
    ops.push({ op: 'equal', line: a[--xi]! });
    yi--;
  }
  return ops.reverse();
}

/**
 * `--- a/<path>` / `+++ b/<path>` and `@@ -l,s +l,s @@` hunks with `context` lines around each
 * change. Empty string when the texts are equal.
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  const ops = diffLines(before, after);
  if (ops.every((o) => o.op === 'equal')) return '';
  const out = [`--- a/${path}`, `+++ b/${path}`];
  let i = 0;
  // Line numbers (1-based) in a and b at position i of ops.
  const aLine: number[] = [];
  const bLine: number[] = [];
  let la = 1;
  let lb = 1;
  for (const o of ops) {
    aLine.push(la);
    bLine.push(lb);
    if (o.op !== 'insert') la++;
    if (o.op !== 'delete') lb++;
  }
  while (i < ops.length) {
    if (ops[i]!.op === 'equal') {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while the next change is within 2*context equal lines.
    for (;;) {
      while (end < ops.length && ops[end]!.op !== 'equal') end++;
      let gap = end;
      while (gap < ops.length && ops[gap]!.op === 'equal') gap++;
      if (gap < ops.length && gap - end <= 2 * context) end = gap;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.op !== 'insert').length;
    const bCount = hunk.filter((o) => o.op !== 'delete').length;
    const aStart = aCount === 0 ? aLine[start]! - 1 : aLine[start]!;
    const bStart = bCount === 0 ? bLine[start]! - 1 : bLine[start]!;
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const o of hunk) out.push(`${o.op === 'equal' ? ' ' : o.op === 'delete' ? '-' : '+'}${o.line}`);
    i = end;
  }
  return `${out.join('\n')}\n`;
}
