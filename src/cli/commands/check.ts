import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, UserError } from '../../errors';
import { answeredByOtherRule, declarationsByFinding } from '../../plan/plan';
import { renderCheck } from '../../report';
import { capabilitiesOf, capabilityNote, projectPrisma, readPrismaVersion } from '../../compat/prisma-version';
import { allRules } from '../../rules/registry';
import { atLeast, type Proposal, type Severity } from '../../rules/types';
import { planThen, type Planned, type PlanInputOptions, settleWithMigrations } from '../context';
import { useColor, type CliIO } from '../io';
import { toolVersion } from '../version';

export interface CheckOptions extends PlanInputOptions {
  format: 'text' | 'json' | 'sarif' | 'markdown' | 'github';
  level: Exclude<Severity, 'off'>;
  /** `--baseline [FILE]` ('' = the default file): fail only on findings the file does not hold; record them when it does not exist. */
  baseline?: string;
  /** `--update-baseline`: rewrite the baseline file with today's findings. */
  updateBaseline?: boolean;
}

/** The pre-commit hook: findings at or above `level`, exit 1 when there are any. */
export async function checkCommand(options: CheckOptions, io: CliIO): Promise<number> {
  const withBaseline = options.baseline !== undefined || options.updateBaseline === true;
  const { planned, all, report } = await planThen(io, options, async (planned) => {
    await settleWithMigrations(io.cwd, planned, (entry) => atLeast(entry.severity, options.level));
    // Suppressed findings, and findings an existing index already answers, are not problems.
    const settled = new Set(planned.plan.skipped.map((s) => s.proposal));
    const all = planned.plan.findings.filter((f) => atLeast(f.severity, options.level) && !settled.has(f));
    // Rendered while Prisma may still be validating (planThen); a baseline first picks the findings to show.
    return { planned, all, report: withBaseline ? undefined : checkReport(all, planned, options, io) };
  });
  for (const note of planned.notes) io.stderr(`idxgen: ${note}\n`);
  const findings = withBaseline ? applyBaseline(all, options, io) : all;
  if (findings === undefined) return ExitCode.clean;
  const { output, note } = report ?? checkReport(findings, planned, options, io);
  if (output) io.stdout(output);
  if (note) io.stderr(note);
  return findings.length > 0 ? ExitCode.findings : ExitCode.clean;
}

/** What check prints for `findings`: the report, and on stderr what this project's Prisma cannot declare. */
function checkReport(
  findings: Proposal[],
  planned: Planned,
  options: CheckOptions,
  io: CliIO,
): { output: string; note?: string } {
  const { schema, plan } = planned;
  const output = renderCheck(
    options.format,
    {
      findings,
      model: schema.model,
      rules: allRules.map((r) => r.meta),
      toolVersion: toolVersion(),
      unusedSuppressions: plan.unusedSuppressions,
      fixes: declarationsByFinding(plan),
      answeredBy: answeredByOtherRule(plan),
    },
    { color: useColor(io) },
  );
  if (findings.length === 0) return { output };
  const note = capabilityNote(
    capabilitiesOf(projectPrisma(readPrismaVersion(io.cwd), schema.model)),
    findings.map((f) => f.spec),
  );
  return note ? { output, note } : { output };
}

/**
 * The findings to report after the baseline; undefined when the baseline was (re)written, which
 * reports nothing. Notes go to stderr so json/sarif output stays parseable.
 */
function applyBaseline<F extends Proposal>(findings: F[], options: CheckOptions, io: CliIO): F[] | undefined {
  // Loaded only with a baseline: the file writer brings node:crypto (issue 14).
  const { writeFileAtomic } = require('../../io/write-tree') as typeof import('../../io/write-tree');
  const { compareWithBaseline, DEFAULT_BASELINE_FILE, parseBaseline, renderBaseline } =
    require('../../report/baseline') as typeof import('../../report/baseline');
  const shown = options.baseline || DEFAULT_BASELINE_FILE;
  const file = path.resolve(io.cwd, shown);
  let text: string | undefined;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new UserError([{ file: shown, message: 'the baseline is not a regular file' }]);
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new UserError([
        { file: shown, message: `cannot read the baseline (${(error as NodeJS.ErrnoException).code ?? 'error'})` },
      ]);
  }
  if (text === undefined || options.updateBaseline) {
    try {
      writeFileAtomic(file, renderBaseline(findings));
    } catch (error) {
      throw new UserError([
        { file: shown, message: `cannot write the baseline (${(error as NodeJS.ErrnoException).code ?? 'error'})` },
      ]);
    }
    io.stderr(
      `idxgen: ${text === undefined ? 'recorded' : 'rewrote'} ${findings.length} finding${findings.length === 1 ? '' : 's'} in ${shown}; \`idxgen check --baseline ${shown}\` now fails only on new ones.\n`,
    );
    return undefined;
  }
  const parsed = parseBaseline(text);
  if ('errors' in parsed) throw new UserError(parsed.errors.map((message) => ({ file: shown, message })));
  const { fresh, known, stale } = compareWithBaseline(findings, parsed.baseline);
  const lines: string[] = [];
  if (known.length > 0)
    lines.push(`idxgen: ${known.length} finding${known.length === 1 ? '' : 's'} recorded in ${shown} not shown.`);
  if (stale.length > 0) {
    const one = stale.length === 1;
    lines.push(
      `idxgen: ${stale.length} entr${one ? 'y' : 'ies'} of ${shown} no longer match${one ? 'es' : ''} a finding (fixed): remove ${one ? 'it' : 'them'} with \`idxgen check --baseline ${shown} --update-baseline\`:`,
      ...stale.map((e) => `  ${e.fingerprint}`),
    );
  }
  if (lines.length > 0) io.stderr(`${lines.join('\n')}\n`);
  return fresh;
}
