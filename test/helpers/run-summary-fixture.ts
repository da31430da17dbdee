/**
 * Runs of every kind whose public summaries differ (imported, baseline, interrupted, GGUF with a prompt
 * and an error, server), with fixed times and token counts so their JSON is the same on every machine.
 */
import { spawnSync } from 'node:child_process';
import { answer, createRunsFixture, type RunsFixture } from './runs-fixture';

export const SUMMARY_RUNS = ['imported', 'baseline', 'killed', 'gguf', 'server'] as const;

export async function createRunSummaryFixture(): Promise<RunsFixture> {
  const f = await createRunsFixture();
  f.runWith('imported', f.pairs, () => answer(true), { manifest: { source: 'file.csv' } });
  f.runWith('baseline', f.pairs.slice(0, 12), (p, i) => (i < 8 ? answer(p.gold, p.goldSentences) : undefined), { backend: 'baseline' });
  const killed = f.runWith('killed', f.pairs, (p, i) => (i < 5 ? answer(p.gold) : undefined), { backend: 'baseline' });
  // A pid of a process that has exited: the run reads as interrupted.
  f.db.prepare("UPDATE runs SET status = 'running', owner_pid = ? WHERE id = ?").run(spawnSync(process.execPath, ['-e', '0']).pid!, killed.id);
  const gguf = f.runWith('gguf', f.pairs.slice(0, 4), (p) => answer(p.gold), {
    backend: 'gguf',
    settings: { backend: 'gguf', promptFile: 'preset:minimal', votes: 3, seed: 7, limit: 4, strategy: 'naive' },
    manifest: { modelFile: 'tiny.gguf', prompt: { hash: 'abc123' } },
  });
  f.db.prepare("UPDATE runs SET error = 'model failed: see --verbose', status = 'failed' WHERE id = ?").run(gguf.id);
  f.runWith('server', f.pairs.slice(0, 3), (p) => answer(p.gold), {
    backend: 'openai',
    settings: { backend: 'openai', backendOptions: { baseUrl: 'http://127.0.0.1:8000/v1' } },
    manifest: { model: 'Qwen/Qwen2.5-7B-Instruct', modelFile: 'Qwen/Qwen2.5-7B-Instruct' },
  });
  f.db.prepare("UPDATE runs SET created_at = '2026-01-02T03:04:05.000Z', started_at = '2026-01-02T03:04:06.000Z', active_seconds = 12.5").run();
  f.db.prepare("UPDATE runs SET finished_at = '2026-01-02T03:05:00.000Z' WHERE status = 'finished'").run();
  f.db.prepare('UPDATE predictions SET prompt_tokens = 100, reused_tokens = 40, generated_tokens = 7').run();
  return f;
}
