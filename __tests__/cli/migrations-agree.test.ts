/**
 * plan, check and generate agree on what the migrations folder already holds (issue 9.7): once a
 * migration creates a CHECK constraint (which has no declaration in schema.prisma), check stops
 * reporting it and plan lists it as already created, through the real binary.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runBin, tempProject } from '../support/cli';

const SCHEMA = `datasource db {
  provider = "postgresql"
}
generator client {
  provider = "prisma-client-js"
}
model Job {
  id      Int @id
  /// @idxgen.check(retries >= 0)
  retries Int
}
`;

describe('what the migrations already create', () => {
  let project: ReturnType<typeof tempProject>;
  beforeEach(() => {
    project = tempProject({ 'prisma/schema.prisma': SCHEMA });
  });
  afterEach(() => project.cleanup());

  it('check reports the CHECK until a migration creates and validates it, then not; plan says where it is', () => {
    const before = runBin(['check', '--level', 'warn'], project.dir);
    expect([
      before.code,
      before.stdout.includes('check-constraint: Job.retries asks for CHECK ("retries" >= 0)'),
    ]).toEqual([1, true]);

    expect(runBin(['generate', '--timestamp', '20260101000000'], project.dir).code).toBe(0);
    const folders = fs
      .readdirSync(path.join(project.dir, 'prisma', 'migrations'))
      .filter((f) => !f.endsWith('.toml'))
      .sort();
    expect(folders).toEqual(['20260101000000_check_job_retries', '20260101000001_validate_job_retries']);

    const after = runBin(['check', '--level', 'warn'], project.dir);
    expect([after.code, after.stdout, after.stderr]).toEqual([0, '', '']);
    const plan = runBin(['plan', '--verbose'], project.dir);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('No proposals');
    expect(plan.stdout).toContain('already created by migration 20260101000001_validate_job_retries');

    // Without the VALIDATE folder the constraint is NOT VALID: the work is not done, check says so again.
    fs.rmSync(path.join(project.dir, 'prisma', 'migrations', folders[1]!), { recursive: true });
    expect(runBin(['check', '--level', 'warn'], project.dir).code).toBe(1);
  });

  it('check reads the migrations folder only when a finding at its level could be settled by it', () => {
    // A file where the folder should be: reading it is bad input (exit 2), so the exit code shows whether check read it.
    fs.writeFileSync(path.join(project.dir, 'prisma', 'migrations'), 'not a folder');
    expect(runBin(['check'], project.dir).code).toBe(0);
    const warn = runBin(['check', '--level', 'warn'], project.dir);
    expect([warn.code, warn.stderr]).toEqual([2, 'prisma/migrations: the migrations path is a file, not a folder\n']);
  });

  it('a later migration that drops the constraint brings the finding back', () => {
    expect(runBin(['generate', '--timestamp', '20260101000000'], project.dir).code).toBe(0);
    const drop = path.join(project.dir, 'prisma', 'migrations', '20260102000000_drop_check');
    fs.mkdirSync(drop);
    fs.writeFileSync(path.join(drop, 'migration.sql'), 'ALTER TABLE "Job" DROP CONSTRAINT "Job_retries_check";\n');
    expect(runBin(['check', '--level', 'warn'], project.dir).code).toBe(1);
  });
});
