/**
 * A proposal's `evidence`, worked out when something first reads it. For evidence that costs real
 * work to write: fk-index explains, for each of the 150 foreign keys civitai leaves uncovered, why
 * every index of the table does not serve the lookup (~8 ms of a `check`, whose text never shows
 * evidence; `plan --verbose`, JSON, SARIF and generate's report read it). Once read, it is a plain
 * array property that later stages push to, like any other proposal's. The plan keeps it unread:
 * `runRules` completes the rule's own object and `toEntry` reads through to it.
 */
export function evidenceOnRead<T extends object>(proposal: T, lines: () => string[]): T & { evidence: string[] } {
  return Object.defineProperty(proposal, 'evidence', {
    enumerable: true,
    configurable: true,
    get(this: T): string[] {
      const evidence = lines();
      Object.defineProperty(this, 'evidence', {
        value: evidence,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      return evidence;
    },
  }) as T & { evidence: string[] };
}
