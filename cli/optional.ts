/**
 * The command groups that need a database (`import`, `sql`, `--db`, `segments …`), loaded lazily so
 * the in-memory commands never load knex or a driver (they are bundled into the CLI all the same).
 * The interfaces are the contract with cli/db-commands.ts and cli/catalog-commands.ts; the type
 * checker holds each module to it.
 */
import type { Command } from 'commander';
import type { Schema, SegmentDefinition } from '../core/index';

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

export function loadDb(): Promise<DbModule> {
  return import('./db-commands');
}

export function loadCatalog(): Promise<CatalogModule> {
  return import('./catalog-commands');
}

/** Registers the database and catalogue command groups (for their own commands and `segment --help`). */
export async function registerOptionalCommands(program: Command): Promise<void> {
  const [db, catalog] = await Promise.all([loadDb(), loadCatalog()]);
  db.registerDbCommands(program);
  catalog.registerCatalogCommands(program);
}
