import { InvalidArgumentError, Option, type Command } from 'commander';
import { executeRun } from '../../core/engine/runner';
import { getRun } from '../../core/engine/runs';
import { cliRunJson, summariseRun } from '../../core/engine/run-summary';
import type { ReadableDb } from '../../core/store/database';
import { backendOfRequest, prepareNewRun, prepareResume, type PreparedRun } from '../../core/engine/start-run';
import { addBackendOptions, backendOptionsFrom, givenBackendFlags } from '../backend-options';
import { hashProgressReporter } from '../hash-progress';
import { withStore } from '../context';
import { UsageError } from '../errors';
import { formatDuration, formatTable, printJson } from '../output';
import { ProgressTracker } from '../../core/engine/progress';
import { describeLiveProgress, LiveProgressLine } from '../progress-line';
import { shellQuote } from '../../core/text/shell-quote';
import { listenForStop } from '../stop-signals';

interface RunCommandOptions {
  model?: string;
  name?: string;
  resume?: string;
  dataset?: string;
  limit?: number;
  strategy: 'note-major' | 'naive';
  votes: number;
  seed: number;
  labels: 'binary' | '3way';
  backend?: string;
  prompt?: string;
  temperature?: number;
  maxTokens?: number;
  verify?: boolean;
  plan?: boolean;
  db?: string;
  json?: boolean;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of 0 or more');
  return n;
}

function temperature(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 5) throw new InvalidArgumentError('expected a number between 0 and 5');
  return n;
}

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('run a model (or the built-in baseline) over the pairs; every prediction is saved as it is made')
    .option('--model <ref>', "'baseline', a GGUF file, or a registered model's id, sha256 prefix or file name; with --backend openai, the server's model name")
    .option('--name <name>', 'a new run name')
    .option('--resume <name>', 'continue a stopped or crashed run exactly where it stopped')
    .option('--dataset <name>', 'dataset (default: the only one)')
    .option('--limit <n>', 'only the first N pairs, in the annotation file order', positiveInt)
    .addOption(new Option('--strategy <strategy>', 'note-major reuses each note prefix across its concepts; naive prompts every pair from scratch').choices(['note-major', 'naive']).default('note-major'))
    .option('--votes <n>', 'samples per pair; the majority label wins', positiveInt, 1)
    .option('--seed <n>', 'base seed for sampling', nonNegativeInt, 42)
    .addOption(new Option('--labels <mode>', 'binary True/False, or 3way Explicit/Implicit/Unrelated (mapped to True/True/False)').choices(['binary', '3way']).default('binary'))
    .option('--prompt <name|file>', 'a prompt preset (default, implicit-evidence, minimal) or a template file with {{note}}, {{code}}, {{desc}}, {{labels}}')
    .option('--temperature <t>', 'sampling temperature for votes > 1 (default 0.7)', temperature)
    .option('--max-tokens <n>', 'answer length limit in tokens', positiveInt)
    .option('--verify', 'hash the model file again even if its path, size, mtime and inode are unchanged')
    .option('--plan', 'GGUF: predict the run first (as medbench plan, with the loaded model) and record predicted vs actual in its manifest')
    .option('--db <file>', 'database file')
    .option('--json', 'print only the final JSON object')
    .addHelpText('after', '\nExamples:\n  medbench run --model baseline --name baseline\n  medbench run --model ~/models/qwen2.5-7b-instruct-q4_k_m.gguf --name qwen7b --limit 50\n  medbench run --resume qwen7b\n  medbench run --backend openai --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-7B-Instruct --name qwen7b-vllm');
  // Each backend's flags (--gpu, --base-url, ...) come from the backend registry.
  addBackendOptions(command);
  command.action(async (options: RunCommandOptions) => {
      const commandStarted = performance.now();
      if (options.resume && (options.name || options.model || options.backend || givenBackendFlags(command).length > 0)) {
        throw new UsageError('--resume NAME continues a run with its recorded settings; do not combine it with --name, --model, --backend or backend flags');
      }
      if (!options.resume && options.backend === 'baseline' && !options.model) options.model = 'baseline';
      if (!options.resume && !(options.name && options.model)) throw new UsageError('run needs --model (a GGUF file, a registered model, baseline, or with --backend openai the server\'s model name) and --name, or --resume NAME');
      const backendId = options.resume ? null : (options.backend ?? backendOfRequest({ model: options.model! }).id);
      const backendOptions = backendId ? backendOptionsFrom(command, backendId) : {};
      await withStore(options, async (db, dbPath) => {
        if (options.resume) {
          const existing = getRun(db, options.resume);
          if (existing.planned > 0 && existing.done === existing.planned) {
            const summary = { ...runJson(db, options.resume), predictedNow: 0 };
            if (options.json) printJson(summary);
            else process.stdout.write(`Run "${existing.name}" is already finished (${existing.done} of ${existing.planned} pairs); nothing to do.\n`);
            return;
          }
        }
        const prepared: PreparedRun = options.resume
          ? await prepareResume(db, options.resume, process.env, { verify: options.verify, onHashProgress: hashProgressReporter() })
          : await prepareNewRun(db, {
              name: options.name!,
              model: options.model!,
              dataset: options.dataset,
              limit: options.limit,
              strategy: options.strategy,
              votes: options.votes,
              seed: options.seed,
              labels: options.labels,
              backend: backendId!,
              backendOptions,
              promptFile: options.prompt,
              temperature: options.temperature,
              maxTokens: options.maxTokens,
              verify: options.verify,
              onHashProgress: hashProgressReporter(),
            });
        const { run, backend } = prepared;
        // Loaded only when asked: the planner pulls in node-llama-cpp, which baseline runs never need.
        const planner = options.plan ? await import('../../core/engine/planner/plan') : null;
        await planner?.predictLoadedRun(db, run, backend);
        const stop = listenForStop('finished pairs');
        // Redrawn every 250 ms from the latest state (ETA from recent pairs, live tokens/s).
        const tracker = new ProgressTracker();
        const progress = new LiveProgressLine(() => describeLiveProgress(tracker.snapshot()));
        progress.start();
        try {
          const result = await executeRun(db, run, backend, { signal: stop.signal, onProgress: (p) => tracker.onProgress(p), onTokens: (n) => tracker.onTokens(n) });
          progress.stop();
          planner?.recordPlanActual(db, run.name, (performance.now() - commandStarted) / 1000);
          const summary = { ...runJson(db, run.name), predictedNow: result.predicted };
          if (options.json) printJson(summary);
          else process.stdout.write(`${formatRunSummary(summary)}\n`);
          if (result.status === 'stopped') {
            process.stderr.write(`Run "${run.name}" stopped with ${result.remaining} pairs left. Continue it with:\n  medbench run --resume ${shellQuote(run.name)} --db ${shellQuote(dbPath)}\n`);
            process.exitCode = 130;
          }
        } finally {
          progress.stop();
          stop.dispose();
          await backend.dispose();
        }
      }, 'existing');
    });
}

/** The public JSON of a run as `medbench run --json` and `demo --json` print it: `{"name","n",...,"seconds",...}`. */
export function runJson(db: ReadableDb, name: string): ReturnType<typeof cliRunJson> {
  return cliRunJson(summariseRun(db, getRun(db, name)));
}

function formatRunSummary(s: ReturnType<typeof cliRunJson> & { predictedNow: number }): string {
  return formatTable(
    ['run', 'status', 'pairs', 'invalid', 'prompt tokens', 'reused', 'generated', 'time'],
    [[s.name, s.status, `${s.n}/${s.planned}`, s.invalid, s.promptTokens, s.reusedTokens, s.generatedTokens, s.seconds === null ? 'n/a' : formatDuration(s.seconds)]],
  );
}
