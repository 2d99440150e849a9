/**
 * The server entry: everything in the browser-safe entry and the schema entry (`infer-schema.ts`),
 * plus SQL push-down (knex, drivers) and the segment catalogue's storage. Never import this from the web component.
 */
export * from './index';
export { inferSchema, checkSchema, type InferOptions } from './infer-schema';
export { parseDatabaseUrl, openDatabase, dialectOf, databaseError, type Dialect, type DatabaseTarget, type OpenOptions } from './sql/connect';
export { DIALECTS, type DialectSpec } from './sql/dialects';
export { layoutMapping, checkMapping, LAYOUT_TABLES, type SqlMapping, type StoredMembers, type FieldMapping, type ListMapping, type EventsMapping, type DateStorage } from './sql/mapping';
export { createLayout, migrateLayout, readLayout, dropLayout, createAdvisedIndexes } from './sql/layout';
export { adviseIndexes, advisedDdl, advisedMigration, type AdvisedIndex } from './sql/advise';
export { loadProfiles, checkProfiles, profileRows, type LoadInput, type LoadOptions, type LoadResult, type Rejection } from './sql/load';
export { compileWhere, type CompiledWhere, type SqlCompileOptions } from './sql/compile';
export { SQL_OPERATORS, type Frag } from './sql/predicates';
export {
  compileSegmentSql,
  prepareSegment,
  segmentQuery,
  countQuery,
  idsQuery,
  rowsQuery,
  countProfiles,
  profileIds,
  streamProfiles,
  toSql,
  type SqlSegment,
  type SqlSegmentOptions,
} from './sql/query';
export * from './catalog/index';
