import { Option, type Command } from 'commander';
import { addBackendOptions, backendOptionsFrom } from '../backend-options';
import { withStore } from '../context';
import { UsageError } from '../errors';
import { hashProgressReporter } from '../hash-progress';
import { formatBytes, printJson } from '../output';
import { positiveInt } from './run';

interface PlanCommandOptions {
  model?: string;
  dataset?: string;
  limit?: number;
  strategy?: 'note-major' | 'naive';
  votes?: number;
  labels?: 'binary' | '3way';
  prompt?: string;
  maxTokens?: number;
  verify?: boolean;
  db?: string;
  json?: boolean;
}

/** `medbench plan`: the tokens, time and memory a run would take, predicted before it starts (planner/plan.ts). */
export function registerPlan(program: Command): void {
  const command = program
    .command('plan')
    .description('predict what a run of a GGUF model would cost here: exact prompt tokens, generated tokens, wall time and memory (a short calibration runs a few answers; nothing is stored)')
    .option('--model <ref>', "a GGUF file, or a registered model's id, sha256 prefix or file name")
    .option('--dataset <name>', 'dataset (default: the only one)')
    .option('--limit <n>', 'only the first N pairs, in the annotation file order', positiveInt)
    .addOption(new Option('--strategy <strategy>', 'note-major or naive').choices(['note-major', 'naive']).default('note-major'))
    .option('--votes <n>', 'samples per pair', positiveInt, 1)
    .addOption(new Option('--labels <mode>', 'binary or 3way').choices(['binary', '3way']).default('binary'))
    .option('--prompt <name|file>', 'a prompt preset or template file, as for run')
    .option('--max-tokens <n>', 'answer length limit in tokens', positiveInt)
    .option('--verify', 'hash the model file again even if unchanged')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object: {"predictedSeconds","promptTokens","generatedTokens",...}');
  addBackendOptions(command, ['gguf']);
  command.action(async (options: PlanCommandOptions) => {
    if (!options.model) throw new UsageError('plan needs --model (a GGUF file or a registered model)');
    const backendOptions = backendOptionsFrom(command, 'gguf');
    // node-llama-cpp loads only when this command runs, keeping the rest of the CLI quick to start.
    const { planRun } = await import('../../core/engine/planner/plan');
    const plan = await withStore(options, (db) =>
      planRun(db, {
        model: options.model!,
        backend: 'gguf',
        backendOptions,
        dataset: options.dataset,
        limit: options.limit,
        strategy: options.strategy,
        votes: options.votes,
        labels: options.labels,
        promptFile: options.prompt,
        maxTokens: options.maxTokens,
        verify: options.verify,
        onHashProgress: hashProgressReporter(),
      }),
    );
    if (options.json) {
      printJson(plan);
      return;
    }
    const minutes = (seconds: number) => (seconds >= 90 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(1)} s`);
    process.stdout.write(
      `${plan.model.fileName}: ${plan.pairs} pairs in ${plan.notes} notes (${plan.windows} windows), ${plan.strategy}, ${plan.votes} vote(s)\n` +
        `  prompt tokens   ${plan.promptTokens} evaluated, ${plan.reusedTokens} reused\n` +
        `  generated       ~${plan.generatedTokens} tokens (${plan.calibration.generatedTokensPerAnswer.toFixed(0)} per answer)\n` +
        `  predicted time  ${minutes(plan.predictedSeconds)} (start-up ${minutes(plan.startupSeconds)})\n` +
        `  memory          ${formatBytes(plan.memory.ramBytes)} RAM${plan.memory.vramBytes > 0 ? `, ${formatBytes(plan.memory.vramBytes)} VRAM` : ''}\n`,
    );
  });
}
