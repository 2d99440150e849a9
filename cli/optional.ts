/**
 * The command groups that need a database (`import`, `sql`, `--db`, `segments …`), loaded lazily so
 * the in-memory commands never load knex or a driver (they are bundled into the CLI all the same).
 * The interfaces of `contracts.ts` are the contract with cli/db-commands.ts and
 * cli/catalog-commands.ts; the type checker holds each module to it.
 */
import type { Command } from 'commander';
import type { CatalogModule, DbModule } from './contracts';

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
