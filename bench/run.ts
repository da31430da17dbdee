/**
 * `npm run bench [-- --only import --mb 200]`: runs the benchmarks and writes one JSON file per
 * part under bench/results/, with the machine it ran on. Speed targets are judged on ratios
 * measured in the same run, never on absolute times.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchBootstrap } from './bootstrap';
import { benchCliStartup } from './cli-startup';
import { benchCoreHost } from './core-host';
import { benchEngine } from './engine';
import { benchImport } from './import';
import { benchOpenai } from './openai';
import { benchUi } from './ui';

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    mb: { type: 'string', default: '200' },
    seed: { type: 'string', default: '7' },
    model: { type: 'string' },
  },
});

const resultsDir = path.resolve('bench/results');
const workDir = path.resolve('bench/.work');
fs.mkdirSync(resultsDir, { recursive: true });
fs.mkdirSync(workDir, { recursive: true });

const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
const parts: Record<string, () => Promise<unknown>> = {
  import: () => benchImport({ workDir, textMb: Number(values.mb), seed: Number(values.seed) }),
  engine: () => benchEngine({ workDir, ...(values.model ? { modelPath: values.model } : {}) }),
  ui: () => benchUi({ workDir }),
  bootstrap: async () => benchBootstrap({ seed: Number(values.seed) }),
  openai: () => benchOpenai({ workDir }),
  'cli-startup': async () => benchCliStartup({ workDir }),
  // The 242 MB bench file is ~1040 MB of note text (`--mb 1040`); the default is smaller.
  'core-host': () => benchCoreHost({ workDir, textMb: Number(values.mb), seed: Number(values.seed) }),
};

const selected = values.only ?? Object.keys(parts);
for (const name of selected) {
  const part = parts[name];
  if (!part) throw new Error(`unknown bench part "${name}" (known: ${Object.keys(parts).join(', ')})`);
  console.error(`bench: ${name} ...`);
  const result = await part();
  const record = { part: name, date: new Date().toISOString(), machine, result };
  const file = path.join(resultsDir, `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`${name}: ${JSON.stringify(result)}`);
  console.log(`  written to ${path.relative(process.cwd(), file)}`);
}
