import * as fs from 'node:fs';
import * as path from 'node:path';
import { atLeast, LEVELS, SEVERITY_RANK } from '../../src/rules/types';
import { LEVELS as REPORT_LEVELS } from '../../src/report/text';
import { SEVERITY_RANK as PLAN_RANK } from '../../src/plan/plan';

test('one severity order: error above warn above info, the same object everywhere', () => {
  expect([...LEVELS].sort((a, b) => SEVERITY_RANK[b] - SEVERITY_RANK[a])).toEqual(['error', 'warn', 'info']);
  expect(atLeast('error', 'warn')).toBe(true);
  expect(atLeast('warn', 'warn')).toBe(true);
  expect(atLeast('info', 'warn')).toBe(false);
  expect(REPORT_LEVELS).toBe(LEVELS);
  expect(PLAN_RANK).toBe(SEVERITY_RANK);
});

test('no other ranking of severities is written in src/', () => {
  const files = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
      );
  const src = path.join(__dirname, '..', '..', 'src');
  const rankings = files(src).filter((f) => /\berror:\s*[1-9]\d*\s*,\s*warn:\s*[1-9]/.test(fs.readFileSync(f, 'utf8')));
  expect(rankings.map((f) => path.relative(src, f))).toEqual([path.join('rules', 'types.ts')]);
});
