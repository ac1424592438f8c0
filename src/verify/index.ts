/**
 * `idxgen verify` as a library: applies idxgen's migrations to a real PostgreSQL (embedded, or
 * scratch databases on a server of yours) and proves, step by step, that they do what they say:
 *
 *   a. base       the database before idxgen's first folder
 *   b. apply      idxgen's folders as Prisma >= 7.4 sends them (and as older Prisma does, in a
 *                 second database); every index VALID and equal to its declaration, every CHECK
 *                 validated
 *   c. coverage   no foreign key left without an index, or each one explained by the plan
 *   d. evidence   generated rows + EXPLAIN: the planner uses each index for the query it serves
 *   e. rollback   every down.sql, last first: the catalog is back to what it was before b
 *   f. drift      Prisma's own migrate diff from the migrations to schema.prisma is empty
 *
 * The report passes (exit code 0) only when every step passed; a skipped step fails the run.
 */
import type { Client } from 'pg';
import { snapshot, type CatalogSnapshot } from '../db/catalog';
import { connect, type ScratchDatabase } from '../db/client';
import { applyFolders, checkObjects, checkOldPrisma } from './apply';
import { applyBase, declarationsNamed, planBase, stripDeclarations, type BaseScript } from './base';
import { fromEmptyHint, replayHint } from './prisma-limits';
import { checkCoverage } from './coverage';
import { checkDrift } from './drift';
import { driftJudge } from '../compat/prisma-version';
import { rollBack } from './rollback';
import { collectEvidence, DEFAULT_ROWS_PER_TABLE, SCALE_UP } from './evidence';
import { idxgenEndState, idxgenStatements, readMigrationsForVerify, splitFolders } from './migrations';
import { messageOf, runOne } from './pg';
import { verifySql } from './sql';
import { openVerifyServer, type VerifyServer } from './target';
import {
  REPORT_VERSION,
  type ApplyStep,
  type BaseStep,
  type CoverageStep,
  type DriftStep,
  type EvidenceStep,
  type RollbackStep,
  type StepName,
  type VerifyHooks,
  type VerifyInput,
  type VerifyReport,
  type VerifyStep,
} from './types';

export * from './types';
export { applyFolders, checkObjects, checkOldPrisma, findDeclaration, indexShape, PRISMA_SPLIT_MODE } from './apply';
export { applyBase, planBase, stripDeclarations, declarationsNamed, recreateStatements, SYNTHETIC_BASE, type BaseScript } from './base';
export { checkCoverage, explainUncovered } from './coverage';
export { checkDrift, driftMigrations } from './drift';
export { collectEvidence, ownRead, plannedReads, planIndexNodes, DEFAULT_ROWS_PER_TABLE, SCALE_UP } from './evidence';
export { IDXGEN_MARKER, isIdxgenMigration, readMigrationsForVerify, splitFolders, idxgenStatements, idxgenEndState, type VerifyFolder, type VerifyMigrations } from './migrations';
export { rollBack } from './rollback';
export { openVerifyServer, type VerifyServer } from './target';
export { parseDatabaseUrl } from '../db/url';
export { renderVerifyJson, renderVerifyText } from './render';

type Details<S extends VerifyStep> = S['details'];

function step<S extends VerifyStep>(name: S['name'], details: Details<S>): S {
  return { name, status: 'skipped', ms: 0, summary: '', problems: [], details } as unknown as S;
}

function notRun<S extends VerifyStep>(s: S, why: string): S {
  s.status = 'skipped';
  s.summary = `not run: ${why}`;
  s.problems = [why];
  return s;
}

/** Runs the six steps; throws a UserError only when no server or scratch database can be had. */
export async function runVerify(input: VerifyInput, hooks: VerifyHooks = {}): Promise<VerifyReport> {
  const clock = hooks.clock ?? (() => performance.now());
  const started = clock();
  const rowsPerTable = input.rowsPerTable ?? DEFAULT_ROWS_PER_TABLE;
  const migrations = readMigrationsForVerify(input.migrationsDir);
  const split = splitFolders(migrations.folders);
  const statements = idxgenStatements(split.idxgen);
  const endState = idxgenEndState(statements);

  const base = step<BaseStep>('base', { source: 'none', folders: [], strippedDeclarations: [], recreatedForDrops: [], extensions: [], statements: 0 });
  const apply = step<ApplyStep>('apply', { folders: [], objects: [], oldPrisma: { status: 'skipped', ms: 0, folders: [], sameCatalog: null, note: 'not run' } });
  const coverage = step<CoverageStep>('coverage', { foreignKeys: 0, source: 'catalog', uncovered: [] });
  const evidence = step<EvidenceStep>('evidence', { rowsPerTable, tables: [], indexes: [] });
  const rollback = step<RollbackStep>('rollback', { folders: [], differences: [], ignored: [] });
  const drift = step<DriftStep>('drift', { migrations: [], diff: '', engineVersion: null });
  const steps: VerifyReport['steps'] = [base, apply, coverage, evidence, rollback, drift];

  const timed = async (s: VerifyStep, run: () => Promise<void>) => {
    hooks.onStepStart?.(s.name as StepName);
    const t0 = clock();
    try {
      await run();
    } catch (error) {
      s.status = 'fail';
      s.summary = `error: ${messageOf(error)}`;
      s.problems.push(messageOf(error));
    }
    s.ms = Math.round(clock() - t0);
    hooks.onStepEnd?.(s);
  };
  const finish = (s: VerifyStep, summary: string, problems: string[]) => {
    s.problems.push(...problems);
    s.status = s.problems.length === 0 ? 'pass' : 'fail';
    s.summary = summary;
  };

  const server: VerifyServer = await openVerifyServer(input.target);
  const report: VerifyReport = {
    version: REPORT_VERSION,
    ok: false,
    exitCode: 1,
    target: { kind: server.kind, serverVersion: null, database: null, note: server.note, startMs: Math.round(server.startMs) },
    migrationsDir: input.migrationsDir,
    folders: { base: split.base.map((f) => f.name), idxgen: split.idxgen.map((f) => f.name), project: split.project.map((f) => f.name) },
    steps,
    totalMs: 0,
  };
  let main: ScratchDatabase | undefined;
  let client: Client | undefined;
  try {
    main = await server.scratch('main');
    report.target.database = main.name;
    client = await connect(main.target);
    const info = await runOne<{ server_version: string }>(client, verifySql('server-info'));
    report.target.serverVersion = info[0]?.server_version ?? null;
    const db = client;

    // a. base
    let scripts: BaseScript[] | null = null;
    let before: CatalogSnapshot | null = null;
    await timed(base, async () => {
      const planned = await planBase({ sources: input.sources, model: input.model, baseFolders: split.base, idxgenFolders: split.idxgen, endState });
      base.details = planned.details;
      if (!planned.ok) return finish(base, 'the base could not be built', [planned.reason]);
      const applied = await applyBase(db, planned.scripts);
      base.details.statements = applied.statements;
      if (!applied.ok) {
        const hint = planned.details.source === 'schema' ? fromEmptyHint(input.model) : undefined;
        return finish(base, `the base failed in ${applied.folder}`, hint ? [applied.problem, hint] : [applied.problem]);
      }
      scripts = planned.scripts;
      before = await snapshot(db);
      const from =
        planned.details.source === 'migrations'
          ? `${planned.details.folders.length} folder(s) before idxgen's`
          : `Prisma's from-empty SQL of the schema without ${planned.details.strippedDeclarations.length} idxgen declaration(s)${planned.details.recreatedForDrops.length > 0 ? `, plus ${planned.details.recreatedForDrops.length} index(es) idxgen drops` : ''}`;
      finish(base, `${applied.statements} statement(s) from ${from}`, []);
    });

    // b. apply
    let applied = false;
    if (base.status !== 'pass' || scripts === null || before === null) notRun(apply, 'step a failed');
    else {
      const baseScripts: BaseScript[] = scripts;
      await timed(apply, async () => {
        const folders = await applyFolders(db, split.after);
        apply.details.folders = folders.results;
        if (folders.problems.length > 0) return finish(apply, `a migration failed: ${folders.results[folders.results.length - 1]!.folder}`, folders.problems);
        applied = true;
        apply.details.objects = await checkObjects(db, endState, input.model);
        const objectProblems = apply.details.objects.filter((o) => !o.ok).map((o) => `${o.kind} "${o.name}" (${o.folder}): ${o.notes.join('; ')}`);
        apply.details.oldPrisma = await checkOldPrisma(() => server.scratch('old'), baseScripts, split.after, await snapshot(db), clock);
        const old = apply.details.oldPrisma;
        const oldProblems =
          old.status === 'fail'
            ? [...old.folders.filter((f) => f.result === 'fails').map((f) => `${f.folder}: fails when sent as one query (Prisma < 7.4): ${f.error ? `${f.error.code} ${f.error.message}` : ''}`), ...(old.sameCatalog === false || old.folders.every((f) => f.result !== 'fails') ? [old.note] : [])]
            : [];
        const n = split.idxgen.length;
        finish(apply, n === 0 ? 'no idxgen migrations to apply' : `${n} idxgen folder(s) applied; ${apply.details.objects.length} object(s) checked in pg_catalog; ${old.note}`, [...objectProblems, ...oldProblems]);
      });
    }

    // c, d, e need b's folders applied.
    const why = base.status !== 'pass' ? 'step a failed' : 'a migration failed in step b';
    if (!applied) {
      notRun(coverage, why);
      notRun(evidence, why);
      notRun(rollback, why);
    } else {
      await timed(coverage, async () => {
        const out = await checkCoverage(db, input.model, input.plan, input.config);
        coverage.details = out.details;
        const left = out.details.uncovered.length;
        finish(coverage, left === 0 ? `every foreign key has an index (${out.details.foreignKeys} checked)` : `${left} of ${out.details.foreignKeys} foreign key(s) without an index${out.problems.length === 0 ? ', each with its reason' : ''}`, out.problems);
      });
      await timed(evidence, async () => {
        const target = main!.target;
        const created = new Set([...endState].filter(([key, s]) => key.startsWith('index:') && s.present).map(([key]) => key.slice('index:'.length)));
        const plan = input.planWithout ? input.planWithout(created) : input.plan;
        const out = await collectEvidence(db, { endState, plan, model: input.model, rowsPerTable, clock, connectMore: () => connect(target) });
        evidence.details = out.details;
        const used = out.details.indexes.filter((i) => i.ok).length;
        const grown = out.details.tables.filter((t) => t.requested > rowsPerTable).length;
        finish(evidence, `${used} of ${out.details.indexes.length} read(s) served by the index built for them, on ${out.details.tables.length} table(s) of ${rowsPerTable} generated rows${grown > 0 ? ` (${grown} grown to ${rowsPerTable * SCALE_UP})` : ''}`, out.problems);
      });
      const beforeB: CatalogSnapshot = before!;
      await timed(rollback, async () => {
        const out = await rollBack(db, beforeB, split.idxgen, split.project);
        rollback.details = out.details;
        finish(rollback, out.problems.length === 0 ? `${out.details.folders.length} down.sql file(s) applied, last first; pg_catalog is back to its state before step b` : 'the rollback does not restore the catalog', out.problems);
      });
    }

    // f. drift: Prisma's own replay, independent of b's database.
    if (base.status !== 'pass' || scripts === null) notRun(drift, 'step a failed');
    else {
      const baseScripts: BaseScript[] = scripts;
      const target = main.target;
      await timed(drift, async () => {
        const synthetic = base.details.source === 'schema' ? (baseScripts[0] ?? null) : null;
        const idxgenNames = new Set([...endState.keys()].filter((key) => key.startsWith('index:')).map((key) => key.slice('index:'.length)));
        const createdNames = new Set([...endState].filter(([key, s]) => key.startsWith('index:') && s.present).map(([key]) => key.slice('index:'.length)));
        const baseline = scripts
          ? { sources: stripDeclarations(input.sources, declarationsNamed(input.model, createdNames).map((d) => d.index)), migrations: scripts }
          : undefined;
        const out = await checkDrift({ sources: input.sources, target, migrationsDir: input.migrationsDir, lockfile: migrations.lockfile, syntheticBase: synthetic, folders: synthetic ? split.after : migrations.folders, baseline, idxgenNames });
        drift.details = { ...out.details, judgedBy: driftJudge(out.details.engineVersion, input.prisma) };
        drift.problems.push(...out.problems);
        const hint = out.status === 'fail' && out.details.replayFailed ? replayHint(input.model) : undefined;
        if (hint) drift.problems.push(hint);
        drift.status = out.status;
        drift.summary = out.summary;
      });
    }
  } finally {
    await client?.end().catch(() => undefined);
    await main?.drop().catch(() => undefined);
    await server.close();
  }
  report.ok = steps.every((s) => s.status === 'pass');
  report.exitCode = report.ok ? 0 : 1;
  report.totalMs = Math.round(clock() - started);
  return report;
}
