/**
 * One import in a process of its own, so its peak RSS is the import's alone. Prints one JSON line.
 * Usage: node bin/run-ts.js bench/import-child.ts ANNOTATIONS NOTES DB
 */
import { importDataset } from '../src/core/data/import';
import { openStore } from '../src/core/store/database';

const [annotations, notes, dbPath] = process.argv.slice(2);
if (!annotations || !notes || !dbPath) throw new Error('usage: import-child.ts ANNOTATIONS NOTES DB');
const started = performance.now();
const db = openStore(dbPath);
const report = await importDataset(db, { annotations, notes, format: 'raw' });
db.close();
const seconds = (performance.now() - started) / 1000;
// maxRSS is in kilobytes on Linux.
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ seconds, peakRssMb, pairs: report.pairs, notes: report.notes, notesScanned: report.notesScanned, problems: report.problems.length })}\n`);
