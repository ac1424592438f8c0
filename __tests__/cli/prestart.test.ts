/**
 * What src/cli/prestart.ts reads to decide on a validator worker: the size of the schema a
 * `check` or `plan` will read (below 20 kB Prisma validates in process sooner than a worker starts).
 */
import { FAST_SPECS, parseFast } from '../../src/cli/fast-args';
import { schemaBytes } from '../../src/cli/prestart';
import { tempProject } from '../support/cli';

const fast = (argv: string[]) => parseFast(argv, FAST_SPECS);

describe('schemaBytes', () => {
  test('--schema: a file, or every .prisma file below a folder', () => {
    const project = tempProject({
      'one.prisma': 'x'.repeat(1000),
      'multi/a.prisma': 'x'.repeat(300),
      'multi/nested/b.prisma': 'x'.repeat(200),
      'multi/notes.md': 'x'.repeat(5000),
    });
    try {
      expect(schemaBytes(fast(['check', '--schema', 'one.prisma']), project.dir)).toBe(1000);
      expect(schemaBytes(fast(['plan', '--schema', 'multi']), project.dir)).toBe(500);
      expect(schemaBytes(fast(['check', '--schema', 'missing.prisma']), project.dir)).toBeUndefined();
    } finally {
      project.cleanup();
    }
  });

  test("without --schema: Prisma's default file, unless a prisma.config names the schema", () => {
    const plain = tempProject({ 'prisma/schema.prisma': 'x'.repeat(700) });
    const configured = tempProject({ 'prisma/schema.prisma': 'x'.repeat(700), 'prisma.config.ts': 'export {}' });
    const folder = tempProject({ 'prisma/schema/a.prisma': 'x'.repeat(400), 'prisma/schema/b.prisma': 'x'.repeat(20) });
    try {
      expect(schemaBytes(fast(['check']), plain.dir)).toBe(700);
      expect(schemaBytes(fast(['plan']), folder.dir)).toBe(420);
      expect(schemaBytes(fast(['check']), configured.dir)).toBeUndefined();
      // Argv the fast path does not read (generate, help): not guessed.
      expect(schemaBytes(fast(['generate']), plain.dir)).toBeUndefined();
    } finally {
      plain.cleanup();
      configured.cleanup();
      folder.cleanup();
    }
  });
});
