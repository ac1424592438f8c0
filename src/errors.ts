/** A problem with what the user gave us (schema, flags, config). Reported without a stack trace, exit 2. */
export interface Diagnostic {
  file?: string;
  line?: number;
  column?: number;
  message: string;
}

export class UserError extends Error {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[] | string) {
    const list = typeof diagnostics === 'string' ? [{ message: diagnostics }] : diagnostics;
    super(list.map(formatDiagnostic).join('\n'));
    this.name = 'UserError';
    this.diagnostics = list;
  }
}

/** `file:line:col: message`, dropping the parts we do not know. */
export function formatDiagnostic(d: Diagnostic): string {
  if (!d.file) return d.message;
  const where = d.line ? `${d.file}:${d.line}:${d.column ?? 1}` : d.file;
  return `${where}: ${d.message}`;
}

export const ExitCode = {
  clean: 0,
  findings: 1,
  badInput: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
