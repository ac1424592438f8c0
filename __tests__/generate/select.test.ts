import { loadAndPlan } from '../../src/cli/context';
import { mayEditSchema } from '../../src/generate/select';
import { project } from '../support/generate';

// The CLI starts its edited-schema validator thread only when this says a declaration may be written.
describe('mayEditSchema', () => {
  test('true while declarations are missing, false on the re-run after generate', async () => {
    const p = project();
    const before = loadAndPlan(p.root, {}).plan.entries;
    expect(mayEditSchema(before, { includeInfo: false })).toBe(true);
    expect(mayEditSchema(before, { includeInfo: false, only: ['Post'] })).toBe(true);

    expect(await p.cli('--timestamp', '20250601120000')).toBe(0);
    const after = loadAndPlan(p.root, {}).plan.entries;
    // What is left (info proposals, drift Prisma cannot declare) writes no schema line by default.
    expect(after.length).toBeGreaterThan(0);
    expect(mayEditSchema(after, { includeInfo: false })).toBe(false);
    expect(mayEditSchema(after, { includeInfo: true })).toBe(true);
    expect(mayEditSchema(after, { includeInfo: true, only: ['no-such-rule'] })).toBe(false);
  });

  test('a selected entry that only drifts (no declaration) edits nothing', async () => {
    const p = project();
    expect(await p.cli('--timestamp', '20250601120000', '--include-info')).toBe(0);
    const left = loadAndPlan(p.root, {}).plan.entries;
    const drift = left.filter((e) => e.declaration.kind === 'none');
    expect(drift.length).toBeGreaterThan(0);
    expect(mayEditSchema(drift, { includeInfo: true })).toBe(false);
    // The partial indexes left (skipped without --preview-features) still count: on the safe side,
    // since only planGeneration knows which declarations its gates let through.
    expect(left.some((e) => e.declaration.kind === 'attribute')).toBe(true);
    expect(mayEditSchema(left, { includeInfo: true })).toBe(true);
  });
});
