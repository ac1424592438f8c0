import * as fs from 'node:fs';
import * as path from 'node:path';
import * as library from '../src';
import { allRules, loadAndPlan, renderPlan } from '../src';

const REPO = path.join(__dirname, '..');

describe('the library entry', () => {
  test('plans the bundled example exactly as `idxgen plan --format json` does', () => {
    const { location, schema, plan } = loadAndPlan(REPO, {});
    const json = renderPlan(
      'json',
      {
        schemaFiles: location.files,
        model: schema.model,
        plan,
        rules: allRules.map((r) => r.meta),
        toolVersion: '0.1.0',
      },
      { color: false },
    );
    const golden = fs.readFileSync(path.join(REPO, 'examples', 'bundled', 'expected', 'plan.json'), 'utf8');
    expect(JSON.parse(json)).toEqual(JSON.parse(golden));
  });

  test("`require('idxgen')` resolves to the compiled entry, with the same exports (run `npm run build` if this fails locally)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { main: string; types: string };
    expect(fs.existsSync(path.join(REPO, pkg.types))).toBe(true);
    const compiled = require(path.join(REPO, pkg.main)) as Record<string, unknown>;
    expect(Object.keys(compiled).sort()).toEqual(Object.keys(library).sort());
  });
});
