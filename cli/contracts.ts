/**
 * The contract between the commands that load the database command groups lazily (`optional.ts`)
 * and those groups (`db-commands.ts`, `catalog-commands.ts`). Types only, importing none of them,
 * so the lazily loaded modules never import the module that loads them.
 */
import type { Command } from 'commander';
import type { CheckResult, Expr, Schema, SegmentDefinition } from '../core/index';

/** What `--db` runs need (the contract with cli/db-commands.ts). */
export interface DbRunOptions {
  url: string;
  expression: string;
  /** The expression already checked against `schema` (when given): not checked again. */
  checked?: CheckResult;
  schema?: Schema;
  segments?: SegmentDefinition[];
  now?: string;
  timeZone?: string;
}

export interface DbModule {
  registerDbCommands(program: Command): void;
  dbCount(options: DbRunOptions): Promise<number>;
  dbFilter(options: DbRunOptions, write: (profile: Record<string, unknown>) => void | Promise<void>, stopped?: () => boolean): Promise<number>;
  /** The checked tree and the SQL the database runs for the count. */
  dbExplain(options: DbRunOptions): Promise<{ expr: Expr; sql: string }>;
}

export interface CatalogModule {
  registerCatalogCommands(program: Command): void;
}
