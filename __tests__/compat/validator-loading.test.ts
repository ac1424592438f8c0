/** Its own file: jest gives each file a fresh module registry, so nothing else loaded the validators first. */
import * as fs from 'node:fs';
import { olderValidatorLoaded } from '../../src/schema/validate';
import { EXAMPLE_SCHEMA, runCli, tempProject } from '../support/cli';

const SCHEMA = fs.readFileSync(EXAMPLE_SCHEMA, 'utf8');
/** Prisma 6 wants a datasource url. */
const SCHEMA_6 = SCHEMA.replace(
  /^  provider = "postgresql"$/m,
  '  provider = "postgresql"\n  url      = env("DATABASE_URL")',
);

test("Prisma 6's validator is loaded by a Prisma 6 project's generate, never by a Prisma 7 project's check or generate", async () => {
  const seven = tempProject({
    'prisma/schema.prisma': SCHEMA,
    'package.json': JSON.stringify({ devDependencies: { prisma: '7.10.1' } }),
  });
  const six = tempProject({
    'prisma/schema.prisma': SCHEMA_6,
    'package.json': JSON.stringify({ devDependencies: { prisma: '6.19.3' } }),
  });
  try {
    const check = await runCli(['check', '--no-cache', '--level', 'info'], seven.dir);
    expect(check.code).toBe(1);
    expect(check.stderr).toBe('');
    const generate = await runCli(
      ['generate', '--no-cache', '--include-info', '--preview-features', '--dry-run'],
      seven.dir,
    );
    expect(generate.code).toBe(0);
    expect(olderValidatorLoaded(6)).toBe(false);
    expect(olderValidatorLoaded(5)).toBe(false);
    // The same probe sees it loaded once a Prisma 6 project's generate edits the schema.
    const sixGenerate = await runCli(
      ['generate', '--no-cache', '--include-info', '--preview-features', '--dry-run'],
      six.dir,
    );
    expect(sixGenerate.code).toBe(0);
    expect(sixGenerate.stderr).toContain(
      "idxgen: the edited schema validates with Prisma 6's validator (Prisma 6.19.3 (from package.json devDependencies.prisma (6.19.3)))\n",
    );
    expect(olderValidatorLoaded(6)).toBe(true);
    expect(olderValidatorLoaded(5)).toBe(false);
  } finally {
    seven.cleanup();
    six.cleanup();
  }
});
