import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-runs';
import { migration0003 } from './0003-audit';
import { migration0004 } from './0004-backend-registry';
import { migration0005 } from './0005-notes-by-note-id';
import { migration0006 } from './0006-probabilities';
import { migration0007 } from './0007-build-annotation';
import type { Migration } from './types';

/** Every migration in order. A shipped migration is never edited: add the next number instead. */
export const migrations: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007];

/** The highest version in a list (versions are contiguous once every reserved number has landed; `schemaVersionOf` never assumes it). */
export function schemaVersionOf(list: readonly Migration[]): number {
  return list.reduce((max, migration) => Math.max(max, migration.version), 0);
}

export const LATEST_SCHEMA_VERSION = schemaVersionOf(migrations);
export type { Migration };
