/**
 * Prisma 5/6 syntax blanked for Prisma 7's validator (src/schema/legacy.ts): every edit keeps the
 * text's length and newlines and touches only datasource and generator blocks; each file of several
 * is edited on its own.
 */
import { sanitizeLegacySyntax } from '../../src/schema/legacy';

const MODEL = 'model User {\n  id  Int    @id\n  url String // not a datasource key\n}\n';

describe('sanitizeLegacySyntax', () => {
  test('blanks datasource URLs, renames referentialIntegrity and drops removed preview features, in place', () => {
    const content = [
      'datasource db {',
      '  provider             = "postgresql"',
      '  url                  = env("DATABASE_URL")',
      '  directUrl = env("DIRECT_URL")',
      '  referentialIntegrity = "prisma"',
      '}',
      '',
      MODEL,
      'generator client {',
      '  provider        = "prisma-client-js"',
      '  previewFeatures = ["fullTextSearch", "relationJoins"]',
      '}',
      '',
    ].join('\n');
    const { sources, warnings } = sanitizeLegacySyntax([{ path: 'schema.prisma', content }], ['relationJoins']);
    const out = sources[0]!.content;
    expect(out).toHaveLength(content.length);
    expect(out.split('\n').length).toBe(content.split('\n').length);
    expect(out.split('\n')).toEqual([
      'datasource db {',
      '  provider             = "postgresql"',
      ' '.repeat('  url                  = env("DATABASE_URL")'.length),
      ' '.repeat('  directUrl = env("DIRECT_URL")'.length),
      '  relationMode         = "prisma"',
      '}',
      '',
      ...MODEL.split('\n'),
      'generator client {',
      '  provider        = "prisma-client-js"',
      `  ${'previewFeatures = ["relationJoins"]'.padEnd('previewFeatures = ["fullTextSearch", "relationJoins"]'.length)}`,
      '}',
      '',
    ]);
    expect(warnings.map((w) => [w.code, w.span?.line, w.span?.column])).toEqual([
      ['legacy-datasource-url', 3, 1],
      ['legacy-datasource-url', 4, 1],
      ['legacy-referential-integrity', 5, 1],
      ['removed-preview-feature', 15, 3],
    ]);
  });

  test('a file with nothing to edit comes back unchanged, beside one that has', () => {
    const current = `datasource db {\n  provider = "postgresql"\n}\n\n${MODEL}`;
    const legacy = `datasource db {\n  provider = "postgresql"\n  url = env("X")\n}\n`;
    const { sources, warnings } = sanitizeLegacySyntax(
      [
        { path: 'a.prisma', content: current },
        { path: 'b.prisma', content: legacy },
        { path: 'c.prisma', content: MODEL },
      ],
      [],
    );
    expect(sources.map((s) => s.path)).toEqual(['a.prisma', 'b.prisma', 'c.prisma']);
    expect(sources[0]!.content).toBe(current);
    expect(sources[1]!.content).toBe(`datasource db {\n  provider = "postgresql"\n${' '.repeat(16)}\n}\n`);
    expect(sources[2]!.content).toBe(MODEL);
    expect(warnings.map((w) => [w.code, w.span?.file, w.span?.line])).toEqual([
      ['legacy-datasource-url', 'b.prisma', 3],
    ]);
  });
});
