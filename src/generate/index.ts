/**
 * `generate`, the pure part: plan + existing migrations → folders to write + schema edits.
 * The file system is read by src/io/read-migrations.ts and written by src/io/write-tree.ts.
 */
export { planGeneration, stepKind, LOCK_FILE } from './generate';
export { renderSummary, renderDryRun, renderMarkdown, renderDriftWarning, type ReportContext } from './report';
export { editSchema, onDisk, type SchemaEditInput, type LineHunk } from './schema-edit';
export { replayMigrations, scriptEffects, alreadyDone, type Effect, type MigrationState } from './migration-sql';
export { slugify, folderName, MAX_SLUG_LENGTH } from './naming';
export { parseTimestamp, formatTimestamp, addSeconds, firstTimestamp } from './timestamp';
export { unifiedDiff, lineCounts } from './diff';
export type * from './types';
