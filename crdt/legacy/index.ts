/**
 * Importing legacy `puantaj.db` files into a region's documents. Everything exported here runs in
 * Node and in the browser (sql.js reads the file bytes); legacy/cli.ts is the Node-only command.
 *
 * For the app's import dialog (client/ui/import-dialog.ts; README.md for the months it opens):
 *
 *     const target = engine.documentsForImport(user.region)
 *     const report = await importLegacy(bytes, {
 *       documents: new Map([[user.region, target.documents]]),
 *       openMonth: (_region, period) => target.openMonth(period), // then wait for the relay's copy
 *       user: user.username,
 *       fileRegion: user.region,          // needed for v0 files, harmless otherwise
 *       dryRun: previewOnly, onProgress, betweenChunks: () => new Promise(requestAnimationFrame),
 *       locateFile: (f) => `/assets/${f}`,
 *     })
 *     problemRows(report)  // what to show: skipped or imported with a warning, with reasons
 */
export { importLegacy, importLegacyFile, monthsNeeded, pcRegionOf, problemRows } from './importer.ts'
export type { DeletionReport, ImportOptions, ImportProgress, ImportReport, ImportTarget, MonthsOptions, TableCounts } from './importer.ts'
export { documentLabel, inMemory, memoryDocuments, NotFetchedError, regionMonth } from './documents.ts'
export type { MemoryDocuments } from './documents.ts'
export { readLegacyFile, LegacyFileError } from './reader.ts'
export type { LegacyFile, LegacyTable, LegacyValue, LegacyVersion, ReadOptions } from './reader.ts'
export type { LegacyId, Outcome, RowReport } from './plan.ts'
export type { Reason, ReasonCode } from './reasons.ts'
export { formatReport, reportJson } from './report.ts'
export type { ReportJson } from './report.ts'
export { legacyUsers } from './users.ts'
export type { LegacyUser, LegacyUserSummary } from './users.ts'
export { IMPORT_AUTHOR_PREFIX } from './write.ts'
export { DELETIONS_MAP, PROVENANCE_MAP } from './ledger.ts'
