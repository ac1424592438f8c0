import { renderCheck, renderPlan } from '../../src/report';
import { FINGERPRINT_KEY, INFORMATION_URI, UNUSED_SUPPRESSION_RULE } from '../../src/report/sarif';
import { artifactLocation } from '../../src/report/uri';
import { checkInput, fkFinding, planInput, rules, SCHEMA, span, TOOL_VERSION } from '../support/report-fixtures';

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { level: string; enabled?: boolean };
}
interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Record<string, number> };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: SarifLocation[];
  relatedLocations?: (SarifLocation & { id: number; message: { text: string } })[];
  partialFingerprints: Record<string, string>;
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; informationUri: string; version: string; rules: SarifRule[] } };
    columnKind: string;
    results: SarifResult[];
    invocations?: unknown[];
  }[];
}

const parse = (text: string) => JSON.parse(text) as SarifLog;

describe('sarif report', () => {
  const check = parse(renderCheck('sarif', checkInput(), { color: false }));
  const plan = parse(renderPlan('sarif', planInput(), { color: false }));

  test('log envelope', () => {
    for (const log of [check, plan]) {
      expect(Object.keys(log)).toEqual(['$schema', 'version', 'runs']);
      expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
      expect(log.version).toBe('2.1.0');
      expect(log.runs).toHaveLength(1);
      expect(log.runs[0]!.columnKind).toBe('utf16CodeUnits');
    }
  });

  test('driver lists every rule with docs, then unused-suppression', () => {
    const driver = check.runs[0]!.tool.driver;
    expect(driver.name).toBe('idxgen');
    expect(driver.informationUri).toBe(INFORMATION_URI);
    expect(driver.version).toBe(TOOL_VERSION);
    expect(driver.rules.map((r) => r.id)).toEqual([...rules.map((r) => r.id), UNUSED_SUPPRESSION_RULE]);
    const fk = driver.rules[0]!;
    expect(Object.keys(fk)).toEqual([
      'id',
      'name',
      'shortDescription',
      'fullDescription',
      'help',
      'defaultConfiguration',
    ]);
    expect(fk.name).toBe('FkIndex');
    expect(fk.shortDescription.text).toBe(rules[0]!.summary);
    expect(fk.fullDescription.text).toBe(rules[0]!.docs.problem);
    expect(fk.help.text).toContain(rules[0]!.docs.bad);
    expect(fk.help.markdown).toContain('```prisma\n' + rules[0]!.docs.good + '\n```');
    expect(fk.defaultConfiguration).toEqual({ level: 'error' });
    expect(driver.rules.find((r) => r.id === 'lookup-index')!.defaultConfiguration).toEqual({ level: 'warning' });
    expect(driver.rules.find((r) => r.id === 'json-gin-index')!.defaultConfiguration).toEqual({ level: 'note' });
    expect(driver.rules.find((r) => r.id === 'soft-delete-partial-index')!.defaultConfiguration).toEqual({
      enabled: false,
      level: 'none',
    });
  });

  test('check: one result per finding, in file order, pointing into the schema', () => {
    const { results, tool } = check.runs[0]!;
    expect(results.map((r) => [r.ruleId, r.level])).toEqual([
      ['fk-index', 'error'],
      ['lookup-index', 'warning'],
      ['enum-check', 'warning'],
      ['redundant-index', 'warning'],
      ['covering-index', 'note'],
      ['json-gin-index', 'note'],
      [UNUSED_SUPPRESSION_RULE, 'warning'],
    ]);
    for (const r of results) {
      expect(tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
      expect(r.message.text.length).toBeGreaterThan(0);
      expect(r.locations).toHaveLength(1);
      const { artifactLocation: artifact, region } = r.locations[0]!.physicalLocation;
      expect(artifact.uriBaseId).toBe('%SRCROOT%');
      expect(artifact.uri).toMatch(/^prisma\/(schema|user)\.prisma$/);
      expect(Object.keys(region)).toEqual(['startLine', 'startColumn', 'endLine', 'endColumn']);
      expect(Object.keys(r.partialFingerprints)).toEqual([FINGERPRINT_KEY]);
      expect(r.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}$/);
    }
    const fk = results[0]!;
    expect(fk.locations[0]!.physicalLocation.region).toEqual({
      startLine: 14,
      startColumn: 3,
      endLine: 14,
      endColumn: 72,
    });
    expect(fk.message.text.split('\n')).toEqual([
      fkFinding.message.title,
      fkFinding.message.cost,
      'Instead, create a btree index on "Post" ("authorId") so the FK checks and the joins use an index scan.',
      'Fix: add @@index([authorId], map: "Post_authorId_idx") to model Post',
    ]);
    expect(fk.relatedLocations).toBeUndefined();
  });

  test('fingerprints depend on rule, table and columns, not on lines', () => {
    const moved = checkInput();
    moved.findings = moved.findings.map((f) => ({
      ...f,
      span: { ...f.span, line: f.span.line + 40, endLine: f.span.endLine + 40 },
    }));
    const after = parse(renderCheck('sarif', moved, { color: false })).runs[0]!.results;
    const before = check.runs[0]!.results;
    expect(after.slice(0, 6).map((r) => r.partialFingerprints)).toEqual(
      before.slice(0, 6).map((r) => r.partialFingerprints),
    );
    // Same index spec, different rule → different alert.
    expect(before[0]!.partialFingerprints[FINGERPRINT_KEY]).not.toBe(before[1]!.partialFingerprints[FINGERPRINT_KEY]);
    expect(new Set(before.map((r) => r.partialFingerprints[FINGERPRINT_KEY])).size).toBe(before.length);
  });

  test('plan: one result per entry, satisfied findings as related locations, load warnings as notifications', () => {
    const run = plan.runs[0]!;
    expect(run.results.map((r) => r.ruleId)).toEqual([
      'fk-index',
      'enum-check',
      'redundant-index',
      'covering-index',
      'json-gin-index',
      UNUSED_SUPPRESSION_RULE,
    ]);
    const fk = run.results[0]!;
    expect(fk.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: {
          artifactLocation: { uri: 'prisma/schema.prisma', uriBaseId: '%SRCROOT%' },
          region: { startLine: 14, startColumn: 3, endLine: 14, endColumn: 10 },
        },
        message: { text: 'lookup-index: Reads of "Post" by ("authorId") have no index' },
      },
    ]);
    expect(fk.message.text).toContain('Also fixes lookup-index: Reads of "Post" by ("authorId") have no index');
    expect(run.results[3]!.message.text).toContain('DRIFT: Prisma cannot declare an index with INCLUDE columns');
    expect(run.invocations).toEqual([
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          {
            level: 'warning',
            message: { text: 'datasource `url` is ignored by Prisma 7; idxgen read the schema without it' },
            descriptor: { id: 'legacy-datasource-url' },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'prisma/schema.prisma', uriBaseId: '%SRCROOT%' },
                  region: { startLine: 3, startColumn: 3, endLine: 3, endColumn: 33 },
                },
              },
            ],
          },
          {
            level: 'warning',
            message: { text: 'no migrations folder found; declared indexes are taken as applied' },
            descriptor: { id: 'no-migrations' },
          },
        ],
      },
    ]);
  });

  test('a finding from a rule without metadata still gets a descriptor and a valid ruleIndex', () => {
    const input = checkInput();
    input.findings = [{ ...fkFinding, ruleId: 'zz-custom' }];
    const run = parse(renderCheck('sarif', input, { color: false })).runs[0]!;
    const result = run.results[0]!;
    expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe('zz-custom');
    expect(run.tool.driver.rules.map((r) => r.id).slice(-2)).toEqual(['zz-custom', UNUSED_SUPPRESSION_RULE]);
  });

  test('artifact URIs: forward slashes, relative to %SRCROOT%, percent-encoded; absolute paths become file: URIs', () => {
    expect(artifactLocation('prisma\\schema.prisma')).toEqual({ uri: 'prisma/schema.prisma', uriBaseId: '%SRCROOT%' });
    expect(artifactLocation('./db/my schema#1.prisma')).toEqual({
      uri: 'db/my%20schema%231.prisma',
      uriBaseId: '%SRCROOT%',
    });
    expect(artifactLocation('/home/ci/app/schema.prisma')).toEqual({ uri: 'file:///home/ci/app/schema.prisma' });
    expect(artifactLocation('C:\\work\\schema.prisma')).toEqual({ uri: 'file:///C:/work/schema.prisma' });
    const input = checkInput();
    input.findings = [{ ...fkFinding, span: span('sub dir\\schema.prisma', 1, 1, 2) }];
    const loc = parse(renderCheck('sarif', input, { color: false })).runs[0]!.results[0]!.locations[0]!.physicalLocation
      .artifactLocation;
    expect(loc).toEqual({ uri: 'sub%20dir/schema.prisma', uriBaseId: '%SRCROOT%' });
    expect(SCHEMA).toBe('prisma/schema.prisma');
  });
});
