import { resolveDbPath } from '../core/paths';
import { openStore, type Db } from '../core/store/database';

/** Options every database command takes. */
export interface DbOptions {
  db?: string;
}

/** Opens the database a command works on and always closes it, even when the command throws. */
export async function withStore<T>(options: DbOptions, work: (db: Db, dbPath: string) => Promise<T> | T): Promise<T> {
  const dbPath = resolveDbPath(options.db);
  const db = openStore(dbPath);
  try {
    return await work(db, dbPath);
  } finally {
    db.close();
  }
}
