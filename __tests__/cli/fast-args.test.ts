/**
 * The fast path of argument parsing (src/cli/fast-args.ts): the usual `check`/`plan` invocations
 * are read without yargs. Proven two ways: every argv it declines goes to yargs (so help, version
 * and every usage message stay yargs' own), and for every argv it accepts, main() does exactly
 * what it does through yargs: same exit code, same stdout and stderr, same files written.
 */
import * as fs from 'node:fs';
import { FAST_SPECS, parseFast } from '../../src/cli/fast-args';
import { EXAMPLE_SCHEMA, runCli, snapshotTree, tempProject } from '../support/cli';

const SPECS = {
  check: {
    strings: ['schema', 'config'],
    booleans: { cache: true, 'update-baseline': false },
    choices: { format: { values: ['text', 'json'], default: 'text' } },
  },
};

describe('parseFast', () => {
  test('reads the command, long options with their values, negated booleans, and fills the defaults', () => {
    expect(
      parseFast(['check', '--schema', 'a.prisma', '--format=json', '--no-cache', '--update-baseline'], SPECS),
    ).toEqual({
      command: 'check',
      values: { schema: 'a.prisma', config: undefined, format: 'json', cache: false, 'update-baseline': true },
    });
    expect(parseFast(['check'], SPECS)).toEqual({
      command: 'check',
      values: { schema: undefined, config: undefined, format: 'text', cache: true, 'update-baseline': false },
    });
  });

  test.each([
    [[]],
    [['generate']],
    [['--schema', 'a.prisma', 'check']],
    [['check', '--help']],
    [['check', '-h']],
    [['check', '--version']],
    [['check', 'extra']],
    [['check', '--', 'x']],
    [['check', '--format', 'xml']],
    [['check', '--format', 'json', '--format', 'text']],
    [['check', '--no-cache', '--cache']],
    [['check', '--cache', 'false']],
    [['check', '--cache=false']],
    [['check', '--schema']],
    [['check', '--schema', '']],
    [['check', '--schema=']],
    [['check', '--schema', '-x']],
    [['check', '--schema=-x']],
    [['check', '--no-schema']],
    [['check', '--updateBaseline']],
    [['check', '--queries', 'q.sql']],
    [['check', '--toString']],
    [['check', '--__proto__', 'x']],
  ])('declines %j (yargs reads it)', (argv) => {
    expect(parseFast(argv, SPECS)).toBeUndefined();
  });
});

describe('main() with and without the fast path', () => {
  const schema = fs.readFileSync(EXAMPLE_SCHEMA, 'utf8');

  async function outcome(argv: string[], parser: 'auto' | 'yargs') {
    const project = tempProject({
      'prisma/schema.prisma': schema,
      'other.prisma': schema,
      'idxgen.config.json': '{}\n',
    });
    try {
      const r = await runCli(argv, project.dir, { IDXGEN_NO_CACHE: '1' }, parser);
      return { ...r, files: [...snapshotTree(project.dir)].sort() };
    } finally {
      project.cleanup();
    }
  }

  test.each([
    [['check']],
    [['check', '--level', 'info']],
    [['check', '--level=warn', '--format', 'json']],
    [['check', '--format', 'sarif', '--no-cache']],
    [['check', '--format', 'github', '--schema', 'other.prisma']],
    [['check', '--baseline', 'base.json']],
    [['check', '--baseline', 'base.json', '--update-baseline', '--level', 'info']],
    [['check', '--no-update-baseline', '--config', 'idxgen.config.json', '--cache']],
    [['check', '--schema', 'missing.prisma']],
    [['plan']],
    [['plan', '--verbose']],
    [['plan', '--format', 'markdown', '--no-verbose']],
    [['plan', '--format=json', '--schema=other.prisma']],
    [['plan', '--config', 'missing.json']],
  ])('%j: same exit code, output and files', async (argv) => {
    expect(parseFast(argv, FAST_SPECS)).toBeDefined(); // this argv does take the fast path
    const fast = await outcome(argv, 'auto');
    const slow = await outcome(argv, 'yargs');
    expect(fast).toEqual(slow);
  });
});
