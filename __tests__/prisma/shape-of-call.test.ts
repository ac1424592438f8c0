import { shapeOfCall, type RuntimeDataModel } from '../../src/prisma/shape-of-call';
import { shapeKey } from '../../src/workload/recorded-shape';

// The runtime data model Prisma Client carries, for a small blog schema.
const dataModel: RuntimeDataModel = {
  models: {
    Post: {
      fields: [
        { name: 'id', kind: 'scalar', type: 'Int' },
        { name: 'teamId', kind: 'scalar', type: 'Int' },
        { name: 'slug', kind: 'scalar', type: 'String' },
        { name: 'authorId', kind: 'scalar', type: 'Int' },
        { name: 'author', kind: 'object', type: 'User' },
        { name: 'comments', kind: 'object', type: 'Comment', isList: true },
        { name: 'status', kind: 'enum', type: 'Status' },
        { name: 'published', kind: 'scalar', type: 'Boolean' },
        { name: 'title', kind: 'scalar', type: 'String' },
        { name: 'tags', kind: 'scalar', type: 'String', isList: true },
        { name: 'data', kind: 'scalar', type: 'Json' },
        { name: 'deletedAt', kind: 'scalar', type: 'DateTime' },
        { name: 'createdAt', kind: 'scalar', type: 'DateTime' },
      ],
    },
    User: {
      fields: [
        { name: 'id', kind: 'scalar', type: 'Int' },
        { name: 'email', kind: 'scalar', type: 'String' },
        { name: 'name', kind: 'scalar', type: 'String' },
        { name: 'posts', kind: 'object', type: 'Post', isList: true },
      ],
    },
    Comment: {
      fields: [
        { name: 'id', kind: 'scalar', type: 'Int' },
        { name: 'postId', kind: 'scalar', type: 'Int' },
        { name: 'post', kind: 'object', type: 'Post' },
        { name: 'createdAt', kind: 'scalar', type: 'DateTime' },
      ],
    },
  },
};

const shape = (model: string, operation: string, args: unknown) => {
  const { v: _v, model: _m, operation: _o, count: _c, ...rest } = shapeOfCall(model, operation, args, dataModel);
  return rest;
};

describe('shapeOfCall keeps the shape of a call and none of its values', () => {
  test('the feed read: equality, null check, enum IN, sort, page', () => {
    expect(
      shape('Post', 'findMany', {
        where: { teamId: 42, deletedAt: null, status: { in: ['PENDING', 'ACTIVE', 'PENDING'] } },
        orderBy: { createdAt: 'desc' },
        take: 20,
      }),
    ).toEqual({
      where: {
        and: [
          { field: 'deletedAt', op: 'isNull' },
          { field: 'status', op: 'in', values: ['ACTIVE', 'PENDING'] },
          { field: 'teamId', op: 'equals' },
        ],
      },
      orderBy: [{ path: ['createdAt'], direction: 'desc' }],
      take: true,
    });
  });

  test('no string, number or date the application passes is kept', () => {
    const recorded = JSON.stringify(
      shapeOfCall(
        'Post',
        'findMany',
        {
          where: {
            title: { contains: 'secret-title', mode: 'insensitive' },
            slug: 'secret-slug',
            id: { in: [111111, 222222] },
            createdAt: { gte: new Date('2031-01-01') },
            tags: { hasSome: ['secret-tag'] },
            data: { path: ['secret-path'], equals: 'secret-json' },
            author: { email: 'secret@example.com' },
          },
          cursor: { id: 333333 },
          skip: 1,
        },
        dataModel,
      ),
    );
    for (const secret of ['secret', '111111', '222222', '333333', '2031']) expect(recorded).not.toContain(secret);
  });

  test('operators: insensitive contains, ranges, not null, Json path, scalar lists', () => {
    expect(
      shape('Post', 'findMany', {
        where: {
          title: { contains: 'x', mode: 'insensitive' },
          createdAt: { gte: new Date(0), lt: new Date(1) },
          deletedAt: { not: null },
          data: { path: ['a', 'b'], equals: 1 },
          tags: { has: 'x' },
          published: true,
        },
      }).where,
    ).toEqual({
      and: [
        { field: 'createdAt', op: 'gte' },
        { field: 'createdAt', op: 'lt' },
        { field: 'data', op: 'equals', path: true },
        { field: 'deletedAt', op: 'isNotNull' },
        { field: 'published', op: 'equals', values: [true] },
        { field: 'tags', op: 'has' },
        { field: 'title', op: 'contains', insensitive: true },
      ],
    });
  });

  test('relation filters become joins with their own where, nested', () => {
    expect(
      shape('User', 'findMany', {
        where: { posts: { some: { status: 'DRAFT', comments: { none: {} } } }, OR: [{ email: 'a' }, { name: 'b' }] },
      }).where,
    ).toEqual({
      and: [
        {
          or: [
            { field: 'email', op: 'equals' },
            { field: 'name', op: 'equals' },
          ],
        },
        {
          relation: 'posts',
          quantifier: 'some',
          where: {
            and: [
              { field: 'status', op: 'equals', values: ['DRAFT'] },
              { relation: 'comments', quantifier: 'none' },
            ],
          },
        },
      ],
    });
    expect(shape('Post', 'findMany', { where: { author: { email: 'x' } } }).where).toEqual({
      relation: 'author',
      quantifier: 'is',
      where: { field: 'email', op: 'equals' },
    });
  });

  test('a compound unique key is an equality on each of its fields', () => {
    expect(shape('Post', 'findUnique', { where: { teamId_slug: { teamId: 1, slug: 's' } } }).where).toEqual({
      and: [
        { field: 'slug', op: 'equals' },
        { field: 'teamId', op: 'equals' },
      ],
    });
  });

  test('nested include/select reads are FK lookups with their own shape; _count too', () => {
    expect(
      shape('User', 'findUnique', {
        where: { id: 1 },
        include: {
          posts: { where: { deletedAt: null }, orderBy: [{ createdAt: 'desc' }], take: 5 },
          _count: { select: { posts: true } },
        },
        select: undefined,
      }).reads,
    ).toEqual([
      { relation: 'posts', countOnly: true },
      {
        relation: 'posts',
        where: { field: 'deletedAt', op: 'isNull' },
        orderBy: [{ path: ['createdAt'], direction: 'desc' }],
        take: true,
      },
    ]);
    expect(shape('Post', 'findMany', { select: { id: true, title: true, author: true } }).reads).toEqual([
      { relation: 'author' },
    ]);
  });

  test('select: the scalar fields it names are what the read returns (relations and _count are reads of their own)', () => {
    const s = shape('Post', 'findMany', {
      where: { teamId: 1 },
      select: { title: true, id: true, data: false, author: true, _count: { select: { comments: true } } },
    });
    expect(s.select).toEqual(['id', 'title']);
    expect(shape('Post', 'findMany', { where: { teamId: 1 } }).select).toBeUndefined();
    expect(shape('Post', 'findMany', { where: { teamId: 1 }, include: { author: true } }).select).toBeUndefined();
  });

  test('orderBy through relations, with nulls, and relation counts', () => {
    expect(
      shape('Post', 'findMany', {
        orderBy: [
          { author: { name: 'asc' } },
          { createdAt: { sort: 'desc', nulls: 'last' } },
          { comments: { _count: 'desc' } },
        ],
      }).orderBy,
    ).toEqual([
      { path: ['author', 'name'], direction: 'asc' },
      { path: ['createdAt'], direction: 'desc', nulls: 'last' },
      { path: ['comments'], direction: 'desc', aggregate: '_count' },
    ]);
  });

  test('groupBy, distinct and cursor keep their field names', () => {
    const s = shapeOfCall(
      'Post',
      'groupBy',
      { by: ['teamId', 'status'], where: { published: false }, _count: true },
      dataModel,
    );
    expect(s.by).toEqual(['status', 'teamId']);
    expect(shape('Post', 'findMany', { distinct: ['authorId'], cursor: { id: 1 } })).toEqual({
      distinct: ['authorId'],
      cursor: ['id'],
    });
  });

  test('equal shapes have equal keys whatever the key order and the values', () => {
    const a = shapeOfCall('Post', 'findMany', { where: { teamId: 1, deletedAt: null }, take: 10 }, dataModel);
    const b = shapeOfCall('Post', 'findMany', { take: 99, where: { deletedAt: null, teamId: 7 } }, dataModel);
    const c = shapeOfCall('Post', 'findMany', { where: { teamId: 1 }, take: 10 }, dataModel);
    expect(shapeKey(a)).toBe(shapeKey(b));
    expect(shapeKey(a)).not.toBe(shapeKey(c));
  });

  test('without the data model the structure still tells relations from fields', () => {
    const s = shapeOfCall('Post', 'findMany', {
      where: { teamId: 1, comments: { some: { postId: 2 } }, status: { in: ['A'] } },
    });
    expect(s.where).toEqual({
      and: [
        { field: 'status', op: 'in' },
        { field: 'teamId', op: 'equals' },
        { relation: 'comments', quantifier: 'some', where: { field: 'postId', op: 'equals' } },
      ],
    });
  });

  test('hostile arguments do not throw', () => {
    const hostile = Object.create(null) as Record<string, unknown>;
    hostile['__proto__'] = { in: [1] };
    hostile['constructor'] = null;
    expect(() =>
      shapeOfCall('Post', 'findMany', { where: hostile, orderBy: 'x', include: 5, cursor: [] }, dataModel),
    ).not.toThrow();
    expect(() => shapeOfCall('Nope', 'findMany', { where: { a: { b: { c: {} } } } }, dataModel)).not.toThrow();
    expect(() => shapeOfCall('Post', 'findMany', undefined, dataModel)).not.toThrow();
  });
});
