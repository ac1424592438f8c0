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
import { sqlParser } from '../workload/sql-parser';
import type { Client } from 'pg';
import { snapshot, type CatalogSnapshot } from '../db/catalog';
import { connect, type ScratchDatabase } from '../db/client';
import { applyFolders, checkObjects, checkOldPrisma } from './apply';
import {
  applyBase,
  createdIndexNames,
  declarationsNamed,
  emptyBaseDetails,
  planBase,
  stripDeclarations,
  type BaseScript,
} from './base';
import { fromEmptyHint, replayHint } from './prisma-limits';
import { checkCoverage } from './coverage';
import { checkDrift, type DriftOutcome } from './drift';
import { driftJudge } from '../compat/prisma-version';
import { rollBack } from './rollback';
import { collectEvidence, DEFAULT_ROWS_PER_TABLE, evidenceSizes } from './evidence';
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
  type PhaseTimer,
  type VerifyInput,
  type VerifyPhase,
  type VerifyReport,
  type VerifyStep,
} from './types';

export * from './types';
export { applyFolders, checkObjects, checkOldPrisma, findDeclaration, indexShape, PRISMA_SPLIT_MODE } from './apply';
export {
  applyBase,
  planBase,
  stripDeclarations,
  declarationsNamed,
  recreateStatements,
  SYNTHETIC_BASE,
  type BaseScript,
} from './base';
export { checkCoverage, explainUncovered } from './coverage';
export { checkDrift, driftMigrations } from './drift';
export {
  collectEvidence,
  evidenceSizes,
  ownRead,
  plannedReads,
  planIndexNodes,
  DEFAULT_ROWS_PER_TABLE,
  FIRST_ROWS,
  SCALE_UP,
} from './evidence';
export {
  IDXGEN_MARKER,
  isIdxgenMigration,
  readMigrationsForVerify,
  splitFolders,
  idxgenStatements,
  idxgenEndState,
  type VerifyFolder,
  type VerifyMigrations,
} from './migrations';
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
  await sqlParser(); // migration files are read and split by PostgreSQL's parser
  const migrations = readMigrationsForVerify(input.migrationsDir);
  const split = splitFolders(migrations.folders);
  const statements = idxgenStatements(split.idxgen);
  const endState = idxgenEndState(statements);

  const base = step<BaseStep>('base', emptyBaseDetails());
  const apply = step<ApplyStep>('apply', {
    folders: [],
    objects: [],
    oldPrisma: { status: 'skipped', ms: 0, folders: [], sameCatalog: null, note: 'not run' },
  });
  const coverage = step<CoverageStep>('coverage', { foreignKeys: 0, source: 'catalog', uncovered: [] });
  const evidence = step<EvidenceStep>('evidence', {
    rowsPerTable: evidenceSizes(rowsPerTable)[0]!,
    sizes: evidenceSizes(rowsPerTable),
    tables: [],
    indexes: [],
  });
  const rollback = step<RollbackStep>('rollback', { folders: [], differences: [], ignored: [] });
  const drift = step<DriftStep>('drift', { migrations: [], diff: '', engineVersion: null });
  const steps: VerifyReport['steps'] = [base, apply, coverage, evidence, rollback, drift];

  const phases: VerifyPhase[] = [];
  const phase: PhaseTimer = async (name, work) => {
    const t0 = clock();
    try {
      return await work();
    } finally {
      phases.push({ name, startMs: Math.round(t0 - started), ms: Math.round(clock() - t0) });
    }
  };

  /** Runs a step; `t0` when its work began earlier than this call (drift). */
  const timed = async (s: VerifyStep, run: () => Promise<void>, t0: number = clock()) => {
    hooks.onStepStart?.(s.name as StepName);
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

  // Prisma's from-empty SQL needs no database: the engine (WASM, in this process) works while the
  // server starts (child processes).
  const planning = phase('base-engine', () =>
    planBase({
      sources: input.sources,
      model: input.model,
      baseFolders: split.base,
      idxgenFolders: split.idxgen,
      endState,
    }),
  );
  planning.catch(() => undefined); // awaited below; not an unhandled rejection if the server fails first
  const serverStarted = clock();
  const server: VerifyServer = await openVerifyServer(input.target).catch(async (error: unknown) => {
    await planning.catch(() => undefined);
    throw error;
  });
  let at = serverStarted;
  for (const p of server.startPhases) {
    phases.push({ name: p.name, startMs: Math.round(at - started), ms: Math.round(p.ms) });
    at += p.ms;
  }
  const report: VerifyReport = {
    version: REPORT_VERSION,
    ok: false,
    exitCode: 1,
    target: {
      kind: server.kind,
      serverVersion: null,
      database: null,
      note: server.note,
      startMs: Math.round(server.startMs),
    },
    migrationsDir: input.migrationsDir,
    folders: {
      base: split.base.map((f) => f.name),
      idxgen: split.idxgen.map((f) => f.name),
      project: split.project.map((f) => f.name),
    },
    steps,
    phases,
    totalMs: 0,
  };
  let main: ScratchDatabase | undefined;
  let client: Client | undefined;
  // Steps that run beside the main line (each on its own database or engine); awaited before the end.
  const beside: Promise<void>[] = [];
  try {
    main = await phase('scratch-database', () => server.scratch('main'));
    report.target.database = main.name;
    client = await connect(main.target);
    const info = await runOne<{ server_version: string }>(client, verifySql('server-info'));
    report.target.serverVersion = info[0]?.server_version ?? null;
    const db = client;
    const mainTarget = main.target;
    const runDrift = (baseScripts: BaseScript[], source: BaseStep['details']['source']): Promise<DriftOutcome> => {
      const synthetic = source === 'schema' ? (baseScripts[0] ?? null) : null;
      const idxgenNames = new Set(
        [...endState.keys()].filter((key) => key.startsWith('index:')).map((key) => key.slice('index:'.length)),
      );
      const createdNames = createdIndexNames(endState);
      const baseline = {
        sources: stripDeclarations(
          input.sources,
          declarationsNamed(input.model, createdNames).map((d) => d.index),
        ),
        migrations: baseScripts,
      };
      return checkDrift({
        sources: input.sources,
        target: mainTarget,
        migrationsDir: input.migrationsDir,
        lockfile: migrations.lockfile,
        syntheticBase: synthetic,
        folders: synthetic ? split.after : migrations.folders,
        baseline,
        idxgenNames,
        phase,
      });
    };

    // a. base. f. drift needs only the base's scripts, not its tables: Prisma's engine replays
    // the migrations in shadow databases of its own, so it starts as soon as the scripts are known
    // and runs beside steps a-e (its outcome counts only when step a passes).
    let scripts: BaseScript[] | null = null;
    let before: CatalogSnapshot | null = null;
    let driftWork: { t0: number; outcome: Promise<DriftOutcome> } | undefined;
    await timed(base, async () => {
      const planned = await planning;
      base.details = planned.details;
      if (!planned.ok) return finish(base, 'the base could not be built', [planned.reason]);
      driftWork = { t0: clock(), outcome: phase('drift', () => runDrift(planned.scripts, planned.details.source)) };
      driftWork.outcome.catch(() => undefined); // awaited below
      const applied = await phase('base-apply', () => applyBase(db, planned.scripts));
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

    if (base.status !== 'pass' || scripts === null || driftWork === undefined) {
      if (driftWork)
        beside.push(
          driftWork.outcome.then(
            () => undefined,
            () => undefined,
          ),
        );
      notRun(drift, 'step a failed');
    } else {
      const work = driftWork;
      beside.push(
        timed(
          drift,
          async () => {
            const out = await work.outcome;
            drift.details = { ...out.details, judgedBy: driftJudge(out.details.engineVersion, input.prisma) };
            drift.problems.push(...out.problems);
            const hint = out.status === 'fail' && out.details.replayFailed ? replayHint(input.model) : undefined;
            if (hint) drift.problems.push(hint);
            drift.status = out.status;
            drift.summary = out.summary;
          },
          work.t0,
        ),
      );
    }

    // b. apply. The old-Prisma check builds a second database and runs beside c-e; step b ends
    // when it is done.
    let applied = false;
    if (base.status !== 'pass' || scripts === null || before === null) notRun(apply, 'step a failed');
    else {
      const baseScripts: BaseScript[] = scripts;
      let ready!: () => void;
      const foldersApplied = new Promise<void>((resolve) => (ready = resolve));
      beside.push(
        timed(apply, async () => {
          try {
            const folders = await phase('apply-folders', () => applyFolders(db, split.after));
            apply.details.folders = folders.results;
            if (folders.problems.length > 0)
              return finish(
                apply,
                `a migration failed: ${folders.results[folders.results.length - 1]!.folder}`,
                folders.problems,
              );
            apply.details.objects = await phase('apply-objects', () => checkObjects(db, endState, input.model));
            const afterB = await snapshot(db);
            applied = true;
            ready();
            apply.details.oldPrisma = await phase('apply-old-prisma', () =>
              checkOldPrisma(() => server.scratch('old'), baseScripts, split.after, afterB, clock),
            );
            const objectProblems = apply.details.objects
              .filter((o) => !o.ok)
              .map((o) => `${o.kind} "${o.name}" (${o.folder}): ${o.notes.join('; ')}`);
            const old = apply.details.oldPrisma;
            const oldProblems =
              old.status === 'fail'
                ? [
                    ...old.folders
                      .filter((f) => f.result === 'fails')
                      .map(
                        (f) =>
                          `${f.folder}: fails when sent as one query (Prisma < 7.4): ${f.error ? `${f.error.code} ${f.error.message}` : ''}`,
                      ),
                    ...(old.sameCatalog === false || old.folders.every((f) => f.result !== 'fails') ? [old.note] : []),
                  ]
                : [];
            const n = split.idxgen.length;
            finish(
              apply,
              n === 0
                ? 'no idxgen migrations to apply'
                : `${n} idxgen folder(s) applied; ${apply.details.objects.length} object(s) checked in pg_catalog; ${old.note}`,
              [...objectProblems, ...oldProblems],
            );
          } finally {
            ready();
          }
        }),
      );
      await foldersApplied;
    }

    // c, d, e need b's folders applied.
    const why = base.status !== 'pass' ? 'step a failed' : 'a migration failed in step b';
    if (!applied) {
      notRun(coverage, why);
      notRun(evidence, why);
      notRun(rollback, why);
    } else {
      await timed(coverage, async () => {
        const out = await phase('coverage', () => checkCoverage(db, input.model, input.plan, input.config));
        coverage.details = out.details;
        const left = out.details.uncovered.length;
        finish(
          coverage,
          left === 0
            ? `every foreign key has an index (${out.details.foreignKeys} checked)`
            : `${left} of ${out.details.foreignKeys} foreign key(s) without an index${out.problems.length === 0 ? ', each with its reason' : ''}`,
          out.problems,
        );
      });
      await timed(evidence, async () => {
        const created = new Set(
          [...endState]
            .filter(([key, s]) => key.startsWith('index:') && s.present)
            .map(([key]) => key.slice('index:'.length)),
        );
        const plan = input.planWithout
          ? await phase('evidence-plan', async () => input.planWithout!(created))
          : input.plan;
        const out = await collectEvidence(db, {
          endState,
          plan,
          model: input.model,
          rowsPerTable,
          clock,
          phase,
          connectMore: () => connect(mainTarget),
        });
        evidence.details = out.details;
        const used = out.details.indexes.filter((i) => i.ok).length;
        const [first, ...larger] = out.details.sizes;
        const grown = larger
          .map((size) => ({ size, n: out.details.tables.filter((t) => t.requested === size).length }))
          .filter((g) => g.n > 0);
        finish(
          evidence,
          `${used} of ${out.details.indexes.length} read(s) served by the index built for them, on ${out.details.tables.length} table(s) of ${first} generated rows${grown.length > 0 ? ` (${grown.map((g) => `${g.n} grown to ${g.size}`).join(', ')})` : ''}`,
          out.problems,
        );
      });
      const beforeB: CatalogSnapshot = before!;
      await timed(rollback, async () => {
        const out = await phase('rollback', () => rollBack(db, beforeB, split.idxgen, split.project));
        rollback.details = out.details;
        finish(
          rollback,
          out.problems.length === 0
            ? `${out.details.folders.length} down.sql file(s) applied, last first; pg_catalog is back to its state before step b`
            : 'the rollback does not restore the catalog',
          out.problems,
        );
      });
    }
    await Promise.all(beside);
  } finally {
    // A step beside the main line may still run when the main line failed: let it end first.
    await Promise.allSettled(beside);
    await phase('server-stop', async () => {
      await client?.end().catch(() => undefined);
      await main?.drop().catch(() => undefined);
      await server.close();
    });
  }
  report.ok = steps.every((s) => s.status === 'pass');
  report.exitCode = report.ok ? 0 : 1;
  report.totalMs = Math.round(clock() - started);
  return report;
}
