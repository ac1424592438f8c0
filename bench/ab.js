'use strict';
/**
 * Interleaved A/B timing of whole commands, for changes too small to see through the machine's
 * noise in one-off runs (issue 14): each repetition runs every variant once, in rotating order, so
 * they share the load; reports the median wall time, the median CPU time (user + sys of the child,
 * from /usr/bin/time: steadier than wall time on a loaded machine) and peak RSS.
 *   node bench/ab.js <reps> 'label=shell command' 'label=shell command' ...
 */
const { spawnSync } = require('node:child_process');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
};

function main(argv) {
  const reps = Number(argv[0]);
  const variants = argv.slice(1).map((arg) => {
    const at = arg.indexOf('=');
    if (at <= 0) throw new Error(`expected label=command, got ${JSON.stringify(arg)}`);
    return { label: arg.slice(0, at), command: arg.slice(at + 1), wall: [], cpu: [], rss: [], codes: new Set() };
  });
  if (!(reps > 0) || variants.length === 0) throw new Error('usage: node bench/ab.js <reps> label=command ...');
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + rep) % variants.length];
      const start = process.hrtime.bigint();
      const r = spawnSync('/usr/bin/time', ['-f', 'AB %U %S %M', 'bash', '-c', `${v.command} >/dev/null 2>&1`], {
        encoding: 'utf8',
      });
      v.wall.push(Number(process.hrtime.bigint() - start) / 1e6);
      const line = r.stderr.split('\n').find((l) => l.startsWith('AB '));
      if (!line) throw new Error(`${v.label}: no timing (${r.stderr.trim().slice(0, 200)})`);
      const [user, sys, rssKB] = line.split(' ').slice(1).map(Number);
      v.cpu.push((user + sys) * 1000);
      v.rss.push(rssKB / 1024);
      v.codes.add(r.status);
    }
  }
  for (const v of variants) {
    process.stdout.write(
      `${v.label.padEnd(16)} wall ${median(v.wall).toFixed(0)} ms  cpu ${median(v.cpu).toFixed(0)} ms  rss ${median(v.rss).toFixed(1)} MB  exit ${[...v.codes].join('/')}  (cpu: ${v.cpu.map((x) => x.toFixed(0)).join(', ')})\n`,
    );
  }
}

main(process.argv.slice(2));
