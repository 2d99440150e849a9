/**
 * The command groups that need a database (`import`, `sql`, `--db`, `segments …`), loaded lazily so
 * the in-memory commands never load knex or a driver. The modules are bundled into the CLI; a build
 * made without one of them (see tsup.config.ts) reports that the feature is not built in.
 */
import type { Command } from 'commander';
import type { Schema, SegmentDefinition } from '../core/index';
import { userError } from './errors';

/** What `--db` runs need (the contract with cli/db-commands.ts). */
export interface DbRunOptions {
  url: string;
  expression: string;
  schema?: Schema;
  segments?: SegmentDefinition[];
  now?: string;
  timeZone?: string;
}

export interface DbModule {
  registerDbCommands(program: Command): void;
  dbCount(options: DbRunOptions): Promise<number>;
  dbFilter(options: DbRunOptions, write: (profile: Record<string, unknown>) => void | Promise<void>): Promise<number>;
  dbExplain(options: DbRunOptions): Promise<string>;
}

export interface CatalogModule {
  registerCatalogCommands(program: Command): void;
}

export async function loadDb(): Promise<DbModule> {
  const mod = (await import('./db-commands')) as Partial<DbModule>;
  if (typeof mod.dbCount !== 'function' || typeof mod.dbFilter !== 'function' || typeof mod.dbExplain !== 'function' || typeof mod.registerDbCommands !== 'function') {
    throw userError('invalid-option', 'database support is not built in this version', 'count, filter and explain work on files with --data <profiles.jsonl|.csv>');
  }
  return mod as DbModule;
}

export async function loadCatalog(): Promise<CatalogModule | undefined> {
  const mod = (await import('./catalog-commands')) as Partial<CatalogModule>;
  return typeof mod.registerCatalogCommands === 'function' ? (mod as CatalogModule) : undefined;
}

/** Registers every optional command group that is built in (for `segment --help` and their own commands). */
export async function registerOptionalCommands(program: Command): Promise<void> {
  const [db, catalog] = await Promise.all([loadDb().catch(() => undefined), loadCatalog()]);
  db?.registerDbCommands(program);
  catalog?.registerCatalogCommands(program);
}
