'use strict';
/**
 * What `recordQueryShapes` costs the application per query: the extension's own work (shape of
 * the arguments, merge into the buffer) timed in-process over a mix of the bundled example's
 * typical calls, without and with call sites. The database round trip it rides on is not in it.
 *
 *   node bench/record-overhead.js [--quick]   → prints JSON { perQueryUs, perQueryUsCallSites, ... }
 */
const path = require('node:path');
const { shapeOfCall } = require('../dist/prisma/shape-of-call');
const { ShapeRecorder } = require('../dist/prisma/recorder');

const quick = process.argv.includes('--quick');
const ITERATIONS = quick ? 20_000 : 200_000;

const dataModel = {
  models: {
    Post: {
      fields: [
        { name: 'id', kind: 'scalar', type: 'String' },
        { name: 'authorId', kind: 'scalar', type: 'String' },
        { name: 'author', kind: 'object', type: 'User' },
        { name: 'title', kind: 'scalar', type: 'String' },
        { name: 'tags', kind: 'scalar', type: 'String', isList: true },
        { name: 'published', kind: 'scalar', type: 'Boolean' },
        { name: 'deletedAt', kind: 'scalar', type: 'DateTime' },
        { name: 'createdAt', kind: 'scalar', type: 'DateTime' },
        { name: 'comments', kind: 'object', type: 'Comment', isList: true },
      ],
    },
    User: {
      fields: [
        { name: 'id', kind: 'scalar', type: 'String' },
        { name: 'email', kind: 'scalar', type: 'String' },
        { name: 'posts', kind: 'object', type: 'Post', isList: true },
      ],
    },
    Comment: {
      fields: [
        { name: 'id', kind: 'scalar', type: 'String' },
        { name: 'postId', kind: 'scalar', type: 'String' },
      ],
    },
    IngestEvent: {
      fields: [
        { name: 'status', kind: 'enum', type: 'IngestStatus' },
        { name: 'nextAttemptAt', kind: 'scalar', type: 'DateTime' },
      ],
    },
  },
};

const calls = [
  [
    'Post',
    'findMany',
    () => ({ where: { authorId: 'u1', deletedAt: null }, orderBy: { createdAt: 'desc' }, take: 20 }),
  ],
  ['Post', 'findMany', () => ({ where: { title: { contains: 'x', mode: 'insensitive' } }, take: 10 })],
  [
    'User',
    'findUnique',
    () => ({
      where: { email: 'a@b.c' },
      include: { posts: { where: { published: true } }, _count: { select: { posts: true } } },
    }),
  ],
  ['User', 'findMany', () => ({ where: { posts: { some: { published: false } } } })],
  [
    'IngestEvent',
    'findMany',
    () => ({ where: { status: { in: ['PENDING', 'FAILED'] } }, orderBy: [{ nextAttemptAt: 'asc' }], take: 10 }),
  ],
  ['Post', 'count', () => ({ where: { authorId: 'u1' } })],
  ['Post', 'update', () => ({ where: { id: 'p1' }, data: { title: 't' } })],
  [
    'Comment',
    'findMany',
    () => ({ where: { postId: 'p1' }, orderBy: { id: 'asc' }, cursor: { id: 'c1' }, skip: 1, take: 50 }),
  ],
];

function run(withSite) {
  const recorder = new ShapeRecorder(path.join(require('node:os').tmpdir(), 'idxgen-bench-unused.jsonl'), 1e9);
  const argsList = calls.map(([, , make]) => make());
  const site = withSite
    ? () => {
        // What the extension does with callSites: ask Prisma's captured callsite for its location.
        const error = new Error();
        const frame = (error.stack || '').split('\n')[2] || '';
        return frame.trim();
      }
    : () => undefined;
  for (let i = 0; i < 20_000; i++) {
    const j = i % calls.length;
    recorder.add(shapeOfCall(calls[j][0], calls[j][1], argsList[j], dataModel), site());
  }
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const j = i % calls.length;
    recorder.add(shapeOfCall(calls[j][0], calls[j][1], argsList[j], dataModel), site());
  }
  return Number(process.hrtime.bigint() - started) / 1000 / ITERATIONS;
}

const samples = [];
const samplesSites = [];
for (let r = 0; r < (quick ? 3 : 7); r++) {
  samples.push(run(false));
  samplesSites.push(run(true));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result = {
  iterations: ITERATIONS,
  repetitions: samples.length,
  perQueryUs: +median(samples).toFixed(2),
  perQueryUsCallSites: +median(samplesSites).toFixed(2),
  targetUs: 20,
};
result.met = result.perQueryUs < result.targetUs;
process.stdout.write(`${JSON.stringify(result)}\n`);
