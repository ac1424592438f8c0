import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectGolden, goldenPath } from '../support/golden';

const DIR = 'report/__golden__/.helper-test';
const ABS = path.join(__dirname, '..', DIR);

describe('expectGolden (__tests__/support/golden.ts)', () => {
  const saved = process.env['UPDATE_GOLDEN'];
  afterEach(() => {
    if (saved === undefined) delete process.env['UPDATE_GOLDEN'];
    else process.env['UPDATE_GOLDEN'] = saved;
    fs.rmSync(ABS, { recursive: true, force: true });
  });

  test('a missing golden fails unless UPDATE_GOLDEN=1, which writes it', () => {
    delete process.env['UPDATE_GOLDEN'];
    expect(() => expectGolden(`${DIR}/a.txt`, 'one\n')).toThrow(/does not exist.*UPDATE_GOLDEN=1/);
    expect(fs.existsSync(path.join(ABS, 'a.txt'))).toBe(false);
    process.env['UPDATE_GOLDEN'] = '1';
    expectGolden(`${DIR}/a.txt`, 'one\n');
    expect(fs.readFileSync(path.join(ABS, 'a.txt'), 'utf8')).toBe('one\n');
  });

  test('a different text fails without touching the file; the same text passes', () => {
    fs.mkdirSync(ABS, { recursive: true });
    fs.writeFileSync(path.join(ABS, 'b.txt'), 'one\n');
    delete process.env['UPDATE_GOLDEN'];
    expectGolden(`${DIR}/b.txt`, 'one\n');
    expect(() => expectGolden(`${DIR}/b.txt`, 'two\n')).toThrow();
    expect(() => expectGolden(`${DIR}/b.txt`, 'one\r\n')).toThrow(/only line endings differ/);
    expect(fs.readFileSync(path.join(ABS, 'b.txt'), 'utf8')).toBe('one\n');
  });

  test('paths stay inside __tests__/', () => {
    expect(() => goldenPath('../package.json')).toThrow(/outside __tests__/);
    expect(() => goldenPath('/etc/passwd')).toThrow(/relative to __tests__/);
  });
});
