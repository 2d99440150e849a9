/**
 * The segment catalogue (server side): saved segments on a knex database, CSV member uploads and
 * CSV exports. Re-exported by the server entry; never by the browser-safe one.
 */
export { SegmentCatalog } from './catalog';
export { migrate as migrateCatalog, dropCatalogTables, TABLES as CATALOG_TABLES } from './migrations';
export { generation as catalogGeneration } from './lock';
export { loadSnapshot as loadCatalogSnapshot, type CatalogSnapshot } from './snapshot';
export { readMemberCsv, keyOfHeader, CsvImportError, type CsvSource, type ImportProblem, type MemberList, type ReadMembersOptions } from './csv-import';
export { MemoryDirectory, SqlDirectory, type ProfileDirectory } from './directory';
export { MATCH_KEYS, DEFAULT_CONTACT_FIELDS, normalise as normaliseContact, toE164, type ContactFields, type MatchKey } from './contacts';
export { exportProfiles, exportFileName, csvChunks, safeCell, assertCanExport, EXPORT_COLUMNS, type ExportCounts, type ExportOptions, type ExportResult, type ProfileSource } from './export';
export { sqlSegmentProfiles, sqlReachCounter, layoutDirectory, profilesById } from './sql-source';
export { formatCursor as formatChangeCursor, parseCursor as parseChangeCursor, type ChangeKind, type ChangesPage, type Cursor as ChangeCursor, type MembershipChange, type RunSummary } from './membership';
export { readContactTable, type ContactTable, type ContactRow } from './contact-table';
export * from './types';
