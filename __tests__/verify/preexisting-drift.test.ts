import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateCommand } from '../../src/cli/commands/generate';
import { stepOf, testIO, verifyJson } from '../support/verify';

// Found on trigger.dev's schema: Prisma 7.10's own diff never settles an index declared with
// `ops: raw("text_pattern_ops")` (it wants to drop and re-create it). That drift is the project's,
// there before idxgen: verify reports it and passes; drift on an idxgen index still fails.
const SCHEMA = `datasource db {
  provider = "postgresql"
}

model Secret {
  id    Int    @id
  key   String
  notes Note[]

  @@index([key(ops: raw("text_pattern_ops"))])
}

model Note {
  id       Int    @id
  secretId Int
  secret   Secret @relation(fields: [secretId], references: [id])
}
`;

test("the project's own drift is reported, not blamed on idxgen; idxgen's index is still proven", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-predrift-'));
  try {
    fs.mkdirSync(path.join(dir, 'prisma'));
    fs.writeFileSync(path.join(dir, 'prisma', 'schema.prisma'), SCHEMA);
    const options = {
      dryRun: false,
      includeInfo: false,
      allowDrift: false,
      previewFeatures: false,
      group: 'statement' as const,
      format: 'text' as const,
      timestamp: '20260101000000',
    };
    expect(await generateCommand(options, testIO(dir))).toBe(0);
    const { code, report } = await verifyJson(dir, { rowsPerTable: 2000 });
    const drift = stepOf(report, 'drift');
    expect(drift.status).toBe('pass');
    expect(drift.details.preExisting).toEqual([
      'DROP INDEX "Secret_key_idx";',
      'CREATE INDEX "Secret_key_idx" ON "Secret"("key" text_pattern_ops);',
    ]);
    expect(drift.details.preExisting!.join('\n')).not.toContain('Note_secretId_idx');
    expect(code).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
