import { capabilitiesOf, capabilityNote, projectPrisma, readPrismaVersion } from '../../compat/prisma-version';
import { allRules } from '../../rules/registry';
import { planTextChunks, renderPlan, type PlanReportInput } from '../../report';
import { ExitCode } from '../../errors';
import { planThen, type PlanInputOptions, settleWithMigrations } from '../context';
import { useColor, type CliIO } from '../io';
import { toolVersion } from '../version';

export interface PlanOptions extends PlanInputOptions {
  format: 'text' | 'json' | 'sarif' | 'markdown' | 'github';
  /** Text format: every proposal's cost, fix, evidence and SQL, not one line each. */
  verbose?: boolean;
}

export async function planCommand(options: PlanOptions, io: CliIO): Promise<number> {
  // The report is rendered while Prisma may still be validating (planThen), and printed once it has answered.
  const { notes, chunks, note } = await planThen(io, options, async (planned) => {
    await settleWithMigrations(io.cwd, planned);
    const { location, schema, plan } = planned;
    const input = {
      schemaFiles: location.files,
      model: schema.model,
      plan,
      rules: allRules.map((r) => r.meta),
      toolVersion: toolVersion(),
    };
    const chunks = reportChunks(input, options, useColor(io));
    const note = capabilityNote(
      capabilitiesOf(projectPrisma(readPrismaVersion(io.cwd), schema.model)),
      plan.entries.map((e) => e.spec),
    );
    return { notes: planned.notes, chunks, note };
  });
  for (const line of notes) io.stderr(`idxgen: ${line}\n`);
  for (const chunk of chunks) {
    io.stdout(chunk);
    await io.stdoutDrained?.();
  }
  if (note) io.stderr(note);
  return ExitCode.clean;
}

/**
 * The report in the pieces it is written in, rendered now, except `--verbose` text: megabytes on big
 * schemas, rendered piece by piece as it is written.
 */
function reportChunks(input: PlanReportInput, options: PlanOptions, color: boolean): Iterable<string> {
  if (options.format !== 'text') return [renderPlan(options.format, input, { color })];
  if (options.verbose) return planTextChunks(input, color, true);
  return [...planTextChunks(input, color, false)];
}
