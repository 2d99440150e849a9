/**
 * The public API, locked: each entry's runtime export names, sorted. Adding, renaming or removing an
 * export fails here, so an API change is always a deliberate edit of this list (and of the docs).
 * Type-only exports do not exist at runtime; dist/*.d.ts carry them.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as core from '../core/index';
import * as server from '../core/server';
import * as arabic from '../core/locales/ar';
import * as reach from '../core/reach/index';
import * as schema from '../core/infer-schema';

const CORE = [
  'AGGREGATES',
  'MAX_SEGMENT_REFERENCES',
  'OPERATORS',
  'OPERATOR_LIST',
  'SegmentError',
  'SegmentErrors',
  'UNITS',
  'check',
  'compilePredicate',
  'compileSegment',
  'createClock',
  'describe',
  'en',
  'eventListing',
  'explain',
  'fieldListing',
  'format',
  'formatDiagnostic',
  'formatDuration',
  'isManual',
  'isSegmentError',
  'kindOf',
  'localeStrings',
  'nodeAt',
  'nodes',
  'normalize',
  'operandSpec',
  'operatorWords',
  'operatorsFor',
  'parse',
  'parseIsoDate',
  'positionAt',
  'positiveForm',
  'print',
  'registerLocale',
  'resolveSegments',
  'segmentSource',
  'setOwn',
  'stripSpans',
  'validate',
];

/** The schema entry (n8n-nodes-segments/schema): schemas inferred from data and checked from JSON. */
const SCHEMA = ['checkSchema', 'inferSchema'];

/** The server entry adds SQL push-down, storage and the saved-segment catalogue to everything in the core and schema entries. */
const SERVER_ONLY = [
  'CATALOG_TABLES',
  'CsvImportError',
  'DEFAULT_CONTACT_FIELDS',
  'DEFAULT_HISTORY_RETENTION',
  'DIALECTS',
  'EXPORT_COLUMNS',
  'LAYOUT_TABLES',
  'MATCH_KEYS',
  'MAX_ACTIVE_SEGMENTS',
  'MemoryDirectory',
  'ORCHESTRATION_KINDS',
  'ORCHESTRATION_STATUSES',
  'SQL_OPERATORS',
  'SegmentCatalog',
  'SqlDirectory',
  'adviseIndexes',
  'advisedDdl',
  'advisedMigration',
  'assertCanExport',
  'catalogGeneration',
  'checkMapping',
  'checkProfiles',
  'compileSegmentSql',
  'compileWhere',
  'countProfiles',
  'countQuery',
  'createAdvisedIndexes',
  'createLayout',
  'csvChunks',
  'databaseError',
  'dialectOf',
  'dropCatalogTables',
  'dropLayout',
  'exportFileName',
  'exportProfiles',
  'formatChangeCursor',
  'idsQuery',
  'keyOfHeader',
  'layoutDirectory',
  'layoutMapping',
  'loadCatalogSnapshot',
  'loadProfiles',
  'migrateCatalog',
  'migrateLayout',
  'normaliseContact',
  'openDatabase',
  'parseChangeCursor',
  'parseDatabaseUrl',
  'prepareSegment',
  'profileIds',
  'profileRows',
  'profilesById',
  'readLayout',
  'readContactTable',
  'readMemberCsv',
  'rowsQuery',
  'safeCell',
  'segmentQuery',
  'sqlReachCounter',
  'sqlSegmentProfiles',
  'streamProfiles',
  'toE164',
  'toSql',
];

/** The reach index entry (n8n-nodes-segments/reach): columnar profiles for live counts. */
const REACH = ['ReachIndex', 'addJsonLines', 'compileReach', 'createReachCountProvider', 'reachCount', 'schemaFor', 'serveReach'];

const sorted = (names: Iterable<string>) => [...names].sort();

describe('public API', () => {
  it('the browser-safe entry (n8n-nodes-segments, n8n-nodes-segments/core) exports exactly these names', () => {
    expect(sorted(Object.keys(core))).toEqual(sorted(CORE));
  });

  it('the server entry (n8n-nodes-segments/server) exports exactly the core and schema names plus the SQL and catalogue ones', () => {
    expect(sorted(Object.keys(server))).toEqual(sorted([...CORE, ...SCHEMA, ...SERVER_ONLY]));
  });

  it('the schema entry (n8n-nodes-segments/schema) exports exactly these names, the server entry the same functions', () => {
    expect(sorted(Object.keys(schema))).toEqual(SCHEMA);
    expect(server.inferSchema).toBe(schema.inferSchema);
    expect(server.checkSchema).toBe(schema.checkSchema);
  });

  it('the reach entry (n8n-nodes-segments/reach) exports exactly these names', () => {
    expect(sorted(Object.keys(reach))).toEqual(sorted(REACH));
  });

  it('the Arabic entry (n8n-nodes-segments/locales/ar) exports exactly its table', () => {
    expect(sorted(Object.keys(arabic))).toEqual(['ar']);
  });

  it('the server entry exports the catalogue import report as types (the workspace page reads its JSON through them)', () => {
    expectTypeOf<server.ImportReport['problems']>().toEqualTypeOf<server.ImportProblem[]>();
    expectTypeOf<server.ImportProblem>().toEqualTypeOf<{ line: number; value: string; reason: string }>();
    expectTypeOf<server.ImportReport>().toHaveProperty('alreadyMembers').toEqualTypeOf<number>();
  });

  it('the server entry re-exports the very same core objects (one SegmentError class, one operator table)', () => {
    expect(server.SegmentError).toBe(core.SegmentError);
    expect(server.OPERATORS).toBe(core.OPERATORS);
    expect(server.compileSegment).toBe(core.compileSegment);
  });
});
