/**
 * Migration timestamps: `YYYYMMDDHHMMSS` in UTC, the prefix Prisma gives its own migration folders.
 * Pure: the clock is read by the CLI and handed in as a Date.
 */

const SHAPE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** Parses a timestamp; undefined when it is not 14 digits or not a real UTC date and time. */
export function parseTimestamp(text: string): Date | undefined {
  const m = SHAPE.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 31 February over into March: a round trip catches it.
  return formatTimestamp(date) === text ? date : undefined;
}

/** `YYYYMMDDHHMMSS` of a Date, in UTC. */
export function formatTimestamp(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds())
  );
}

/** The timestamp `seconds` later (calendar-correct: 20241231235959 + 1 = 20250101000000). */
export function addSeconds(timestamp: string, seconds: number): string {
  const date = parseTimestamp(timestamp);
  if (!date) throw new Error(`not a migration timestamp: ${JSON.stringify(timestamp)}`);
  return formatTimestamp(new Date(date.getTime() + seconds * 1000));
}

/** The 14-digit prefix of a migration folder name (`20240101120000_init`), if it has one. */
export function folderTimestamp(folderName: string): string | undefined {
  const m = /^(\d{14})(?:_|$)/.exec(folderName);
  return m && parseTimestamp(m[1]!) ? m[1] : undefined;
}

/**
 * The first timestamp of a run: the requested one, or one second after the newest existing
 * folder's prefix when the requested one is not later (folders must sort after every existing one).
 */
export function firstTimestamp(requested: string, existingFolders: readonly string[]): string {
  let newest: string | undefined;
  for (const name of existingFolders) {
    const ts = folderTimestamp(name);
    if (ts !== undefined && (newest === undefined || ts > newest)) newest = ts;
  }
  return newest !== undefined && requested <= newest ? addSeconds(newest, 1) : requested;
}
