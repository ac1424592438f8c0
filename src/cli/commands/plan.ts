import { capabilitiesOf, capabilityNote, projectPrisma, readPrismaVersion } from '../../compat/prisma-version';
import { allRules } from '../../rules/registry';
import { planTextChunks, renderPlan } from '../../report';
import { ExitCode } from '../../errors';
import { planFor, type PlanInputOptions, settleWithMigrations } from '../context';
import { useColor, type CliIO } from '../io';
import { toolVersion } from '../version';

export interface PlanOptions extends PlanInputOptions {
  format: 'text' | 'json' | 'sarif' | 'markdown' | 'github';
  /** Text format: every proposal's cost, fix, evidence and SQL, not one line each. */
  verbose?: boolean;
}

export async function planCommand(options: PlanOptions, io: CliIO): Promise<number> {
  const planned = await planFor(io, options);
  for (const note of planned.notes) io.stderr(`idxgen: ${note}\n`);
  await settleWithMigrations(io.cwd, planned);
  const { location, schema, plan } = planned;
  const input = {
    schemaFiles: location.files,
    model: schema.model,
    plan,
    rules: allRules.map((r) => r.meta),
    toolVersion: toolVersion(),
  };
  if (options.format === 'text') {
    for (const chunk of planTextChunks(input, useColor(io), options.verbose ?? false)) {
      io.stdout(chunk);
      await io.stdoutDrained?.();
    }
  } else {
    io.stdout(renderPlan(options.format, input, { color: useColor(io) }));
  }
  const note = capabilityNote(
    capabilitiesOf(projectPrisma(readPrismaVersion(io.cwd), schema.model)),
    plan.entries.map((e) => e.spec),
  );
  if (note) io.stderr(note);
  return ExitCode.clean;
}
