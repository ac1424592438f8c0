import * as fs from 'node:fs';
import * as path from 'node:path';
import { JSON_REPORT_VERSION, JSON_SCHEMA_URL, renderCheck, renderPlan } from '../../src/report';
import { checkInput, emptyPlanInput, planInput } from '../support/report-fixtures';
import { propertyOrder, validate, type Schema } from '../support/mini-schema';

const schema = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'plan.schema.json'), 'utf8'),
) as Schema;

describe('json report', () => {
  test('the schema is draft 2020-12, versioned, and its $id is the $schema the output points to', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toBe(JSON_SCHEMA_URL);
    expect(JSON_REPORT_VERSION).toBe(1);
  });

  test.each([
    ['plan', () => renderPlan('json', planInput(), { color: false })],
    ['empty plan', () => renderPlan('json', emptyPlanInput(), { color: false })],
    ['check', () => renderCheck('json', checkInput(), { color: false })],
  ])('%s output validates against schemas/plan.schema.json', (_name, render) => {
    const doc = JSON.parse(render()) as Record<string, unknown>;
    expect(validate(schema, doc)).toEqual([]);
    expect(doc['$schema']).toBe(JSON_SCHEMA_URL);
    expect(doc['version']).toBe(1);
  });

  test('keys come in the documented order', () => {
    const plan = JSON.parse(renderPlan('json', planInput(), { color: false })) as Record<string, unknown> & {
      entries: Record<string, unknown>[];
    };
    expect(Object.keys(plan)).toEqual(propertyOrder(schema, 'planReport'));
    expect(Object.keys(plan.entries[0]!)).toEqual(propertyOrder(schema, 'entry'));
    const check = JSON.parse(renderCheck('json', checkInput(), { color: false })) as Record<string, unknown> & {
      findings: Record<string, unknown>[];
    };
    expect(Object.keys(check)).toEqual(propertyOrder(schema, 'checkReport'));
    expect(Object.keys(check.findings[0]!)).toEqual(propertyOrder(schema, 'checkFinding'));
  });

  test('the validator is not a rubber stamp', () => {
    const doc = JSON.parse(renderPlan('json', planInput(), { color: false })) as Record<string, any>;
    const broken = structuredClone(doc);
    delete broken['summary']['error'];
    broken['entries'][0]['severity'] = 'fatal';
    broken['entries'][1]['sql'][0]['extra'] = true;
    broken['entries'][2]['declaration']['kind'] = 'maybe';
    broken['version'] = 2;
    const errors = validate(schema, broken).join('\n');
    // oneOf reports the first problem of each branch; check each one separately too.
    expect(errors).not.toBe('');
    const plan = { $ref: '#/$defs/planReport' };
    const noError = structuredClone(doc);
    delete noError['summary']['error'];
    expect(validate(schema, noError, plan).join()).toMatch(/summary: missing error/);
    expect(validate(schema, broken['entries'][0], { $ref: '#/$defs/entry' }).join()).toMatch(
      /severity: "fatal" not in/,
    );
    expect(validate(schema, broken['entries'][1], { $ref: '#/$defs/entry' }).join()).toMatch(/unexpected key extra/);
    expect(validate(schema, broken['entries'][2], { $ref: '#/$defs/entry' }).join()).toMatch(
      /declaration: matches 0 of oneOf/,
    );
    expect(validate(schema, { ...doc, version: 2 }, plan).join()).toMatch(/version: expected 1/);
  });

  test('summary counts what the lists hold', () => {
    const doc = JSON.parse(renderPlan('json', planInput(), { color: false }));
    expect(doc.summary).toEqual({
      entries: 5,
      error: 1,
      warn: 2,
      info: 2,
      findings: 7,
      skipped: 1,
      unusedSuppressions: 1,
    });
    expect(doc.schema).toMatchObject({
      files: ['prisma/schema.prisma', 'prisma/user.prisma'],
      tables: 2,
      foreignKeys: 2,
      foreignKeysWithoutIndex: 1,
    });
    const check = JSON.parse(renderCheck('json', checkInput(), { color: false }));
    expect(check.summary).toEqual({ problems: 6, error: 1, warn: 3, info: 2, unusedSuppressions: 1 });
  });
});
