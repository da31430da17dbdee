import { lastImportProblems, listDatasets, resolveDataset } from './data/datasets';
import { listPairs } from './data/pairs';
import type { Db } from './store/database';

/**
 * The core's side of the UI contract: plain functions over an open database, so the Electron
 * main process and `medbench serve` call exactly the same code.
 */
export function createCoreApi(db: Db, dbPath: string) {
  return {
    listDatasets: () => ({ dbPath, datasets: listDatasets(db) }),
    listPairs: ({ dataset }: { dataset: string }) => {
      const { id } = resolveDataset(db, dataset);
      return { pairs: listPairs(db, id), problems: lastImportProblems(db, id) };
    },
  };
}
