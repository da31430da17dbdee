/**
 * Writes a tiny random-weight llama GGUF for smoke tests and demos:
 *   npx tsx scripts/make-tiny-model.ts OUT.gguf [--seed N] [--layers N] [--embedding N] [--heads N]
 *     [--kv-heads N] [--feed-forward N] [--context-length N] [--no-chat-template]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveTinyModelOptions, writeTinyLlamaGguf, type TinyModelOptions } from '../test/helpers/tiny-gguf';

const integerFlags = {
  seed: 'seed',
  layers: 'layers',
  embedding: 'embedding',
  heads: 'heads',
  'kv-heads': 'kvHeads',
  'feed-forward': 'feedForward',
  'context-length': 'contextLength',
} as const satisfies Record<string, keyof TinyModelOptions>;

function parseInteger(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`--${flag} expects an integer, got "${raw}"`);
  return value;
}

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      layers: { type: 'string' },
      embedding: { type: 'string' },
      heads: { type: 'string' },
      'kv-heads': { type: 'string' },
      'feed-forward': { type: 'string' },
      'context-length': { type: 'string' },
      'no-chat-template': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) {
    throw new Error('usage: make-tiny-model.ts OUT.gguf [--seed N] [--layers N] ... [--no-chat-template]');
  }

  const options: TinyModelOptions = { withChatTemplate: values['no-chat-template'] !== true };
  for (const flag of Object.keys(integerFlags) as (keyof typeof integerFlags)[]) {
    const raw = values[flag];
    const key = integerFlags[flag];
    if (typeof raw === 'string') options[key] = parseInteger(flag, raw);
  }
  // Validate before touching the file system so a bad flag leaves nothing behind.
  const resolved = resolveTinyModelOptions(options);
  const [outPath] = positionals as [string];
  writeTinyLlamaGguf(outPath, resolved);
  console.log(`wrote ${outPath} (${fs.statSync(outPath).size} bytes, ${JSON.stringify(resolved)})`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
