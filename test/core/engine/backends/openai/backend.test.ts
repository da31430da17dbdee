import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDataset } from '../../../../../src/core/data/import';
import type { EngineNote } from '../../../../../src/core/engine/backend';
import { notePromptsAsJson } from '../../../../../src/core/engine/backends/openai/backend';
import { jsonStringContent } from '../../../../../src/core/engine/backends/openai/protocol';
import { builtInPromptTemplate, renderPrompt } from '../../../../../src/core/engine/prompt';
import { executeRun } from '../../../../../src/core/engine/runner';
import { getRun, listRuns } from '../../../../../src/core/engine/runs';
import { prepareNewRun, prepareResume } from '../../../../../src/core/engine/start-run';
import { scoreRun } from '../../../../../src/core/scoring/score-run';
import { openStore, type Db } from '../../../../../src/core/store/database';
import { tempDir } from '../../../../helpers/mimic-files';
import { recordConnections, startStandin, type Fault, type Standin, type StandinFlavor } from '../../../../helpers/openai-standin';

const DEMO = path.resolve('resources/demo');
let dir: string;
let db: Db;
const servers: Standin[] = [];

beforeEach(async () => {
  dir = tempDir();
  db = openStore(path.join(dir, 'run.db'));
  await importDataset(db, { dataset: 'demo', annotations: path.join(DEMO, 'dataset_raw.csv'), notes: path.join(DEMO, 'discharge.csv.gz'), format: 'raw' });
});
afterEach(async () => {
  db.close();
  for (const server of servers.splice(0)) await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function standin(flavor: StandinFlavor, extra: Parameters<typeof startStandin>[0] extends infer O ? Partial<O> : never = {}): Promise<Standin> {
  const server = await startStandin({ flavor, ...extra });
  servers.push(server);
  return server;
}

const predictions = (runId: number) =>
  db.prepare('SELECT pair_id AS pairId, status, label, evidence_json AS evidence, probability, prompt_tokens AS prompt, reused_tokens AS reused FROM predictions WHERE run_id = ? ORDER BY pair_id').all(runId) as {
    pairId: number;
    status: string;
    label: number | null;
    evidence: string;
    probability: number | null;
    prompt: number;
    reused: number;
  }[];

const fastRetry = { retries: 2 };

describe('a run against an OpenAI-compatible server', () => {
  it('scores like any other run, the same answers from all four servers, streamed or not', async () => {
    const results: Record<string, ReturnType<typeof predictions>> = {};
    for (const [flavor, stream] of [['vllm', false], ['llama-server', true], ['ollama', false], ['ollama', true], ['lmstudio', true], ['vllm', true]] as const) {
      const server = await standin(flavor);
      const name = `${flavor}-${stream ? 'stream' : 'plain'}`;
      const { run, backend } = await prepareNewRun(db, { name, model: 'standin-model', backend: 'openai', limit: 12, backendOptions: { baseUrl: server.url, stream, ...fastRetry } });
      const result = await executeRun(db, run, backend);
      await backend.dispose();
      expect(result, name).toMatchObject({ status: 'finished', predicted: 12, remaining: 0 });
      results[name] = predictions(run.id);
      const manifest = getRun(db, name).manifest;
      expect(manifest, name).toMatchObject({ backend: 'openai', model: 'standin-model', server: { flavor }, endpoint: { host: '127.0.0.1', port: server.port, loopback: true } });
      // The server got what its documentation says it takes.
      const chat = server.requests.find((r) => r.method === 'POST')!.body!;
      const field = { vllm: 'structured_outputs', 'llama-server': 'json_schema', ollama: 'format', lmstudio: 'response_format' }[flavor as string]!;
      expect(chat[field], name).toBeDefined();
      const score = scoreRun(db, name, { resamples: 200 });
      expect(score.n).toBe(12);
    }
    const labels = (name: string) => results[name]!.map((p) => [p.pairId, p.status, p.label, p.evidence]);
    for (const name of Object.keys(results)) expect(labels(name), name).toEqual(labels('vllm-plain'));
    expect(results['vllm-plain']!.every((p) => p.status === 'ok')).toBe(true);
    // Label probabilities where the server sends logprobs; none from LM Studio, which does not.
    expect(results['vllm-plain']!.every((p) => p.probability !== null && p.probability > 0 && p.probability < 1)).toBe(true);
    expect(results['ollama-stream']!.every((p) => p.probability !== null)).toBe(true);
    expect(results['lmstudio-stream']!.every((p) => p.probability === null)).toBe(true);
    // The server's prefix cache shows up as reused tokens: the concepts of a note after its first.
    expect(results['vllm-plain']!.some((p) => p.reused > 0)).toBe(true);
    expect(results['llama-server-stream']!.some((p) => p.reused > 0)).toBe(true);
  }, 60_000);

  it('sends the concepts of one note back to back, the first one alone so the others hit the prefix cache', async () => {
    // One request at a time: after a note's first answer, its other concepts follow back to back.
    const serial = await standin('vllm');
    const one = await prepareNewRun(db, { name: 'serial', model: 'standin-model', backend: 'openai', limit: 20, backendOptions: { baseUrl: serial.url, concurrency: 1 } });
    await executeRun(db, one.run, one.backend);
    await one.backend.dispose();
    const notes = serial.requests.filter((r) => r.method === 'POST').map((r) => /\[S1\] (.*)/.exec((r.body!.messages as { content: string }[])[0]!.content)![1]);
    const positions = new Map<string, number[]>();
    notes.forEach((note, i) => positions.set(note!, [...(positions.get(note!) ?? []), i]));
    expect(positions.size).toBeGreaterThan(3);
    for (const [note, at] of positions) {
      const rest = at.slice(1);
      expect(rest, note).toEqual(rest.map((_, k) => rest[0]! + k));
    }

    // Four in flight: still, within each note only the first request found the note uncached.
    const wide = await standin('vllm', { latencyMs: 20 });
    const four = await prepareNewRun(db, { name: 'wide', model: 'standin-model', backend: 'openai', limit: 20, backendOptions: { baseUrl: wide.url, concurrency: 4 } });
    await executeRun(db, four.run, four.backend);
    await four.backend.dispose();
    const rows = db
      .prepare('SELECT p.note_id AS note, count(*) AS n, sum(pr.reused_tokens = 0) AS uncached FROM predictions pr JOIN pairs p ON p.id = pr.pair_id WHERE pr.run_id = ? GROUP BY p.note_id')
      .all(four.run.id) as { note: number; n: number; uncached: number }[];
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) expect(row.uncached, `note ${row.note}`).toBe(1);
  });

  it('retries 429, 500, dropped connections and broken bodies, and keeps going', async () => {
    // Every other request fails once, each with another fault, so each is retried once (short backoff).
    const faults: Fault[] = ['429', 'none', '500', 'none', 'drop', 'none', 'bad-body'];
    const server = await standin('vllm', { fault: (i) => faults[i] ?? 'none' });
    const { run, backend } = await prepareNewRun(db, { name: 'flaky', model: 'standin-model', backend: 'openai', limit: 5, backendOptions: { baseUrl: server.url, concurrency: 1, retries: 5 } });
    const result = await executeRun(db, run, backend);
    await backend.dispose();
    expect(result.status).toBe('finished');
    expect(predictions(run.id).every((p) => p.status === 'ok')).toBe(true);
    expect(server.chatCount()).toBe(5 + faults.filter((f) => f !== 'none').length);
  }, 30_000);

  it('an answer that is not the JSON asked for is an invalid prediction, not a retry', async () => {
    const server = await standin('llama-server', { fault: (i) => (i === 0 ? 'wrong-json' : 'none') });
    const { run, backend } = await prepareNewRun(db, { name: 'wrong', model: 'standin-model', backend: 'openai', limit: 3, backendOptions: { baseUrl: server.url, concurrency: 1 } });
    await executeRun(db, run, backend);
    await backend.dispose();
    const rows = db.prepare('SELECT status, error, raw_output AS raw FROM predictions WHERE run_id = ? ORDER BY id').all(run.id) as { status: string; error: string; raw: string }[];
    expect(rows[0]).toMatchObject({ status: 'invalid', raw: 'Sure! Based on the note, the answer is yes.' });
    expect(rows[0]!.error).toMatch(/not valid JSON/);
    expect(server.chatCount()).toBe(3);
  });

  it('stops clearly after repeated failures, keeps what it finished, and resumes without loss or duplicates', async () => {
    let broken = false;
    const server = await standin('vllm', { fault: (i) => (i >= 4 && broken ? '500' : 'none') });
    broken = true;
    const { run, backend } = await prepareNewRun(db, { name: 'outage', model: 'standin-model', backend: 'openai', limit: 15, backendOptions: { baseUrl: server.url, concurrency: 1, retries: 1 } });
    await expect(executeRun(db, run, backend)).rejects.toThrow(/failed 2 times in a row.*HTTP|failed 2 times in a row.*500/);
    await backend.dispose();
    expect(getRun(db, 'outage')).toMatchObject({ status: 'failed', done: 4 });
    expect(getRun(db, 'outage').error).toMatch(/resume/);

    broken = false;
    const resumed = await prepareResume(db, 'outage');
    const result = await executeRun(db, resumed.run, resumed.backend);
    await resumed.backend.dispose();
    expect(result).toMatchObject({ status: 'finished', predicted: 11 });
    const rows = predictions(run.id);
    expect(rows).toHaveLength(15);
    expect(new Set(rows.map((r) => r.pairId)).size).toBe(15);
  }, 30_000);

  it('Ctrl-C cancels the requests in flight at once; a resume loses and duplicates nothing', async () => {
    const server = await standin('vllm', { latencyMs: 50, fault: (i) => (i >= 6 ? 'hang' : 'none') });
    const { run, backend } = await prepareNewRun(db, { name: 'stop', model: 'standin-model', backend: 'openai', limit: 20, backendOptions: { baseUrl: server.url, concurrency: 3, timeoutSeconds: 600 } });
    const controller = new AbortController();
    // Requests 7 to 9 hang: once all three slots hold one, stop.
    const watcher = setInterval(() => {
      if (server.chatCount() >= 9) controller.abort();
    }, 10);
    const started = Date.now();
    const result = await executeRun(db, run, backend, { signal: controller.signal });
    clearInterval(watcher);
    await backend.dispose();
    // The hanging requests were cancelled, not waited for (their timeout is 10 minutes).
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(result.status).toBe('stopped');
    const before = predictions(run.id);
    expect(before).toHaveLength(6);

    const healthy = await standin('vllm');
    // Same run, same server address recorded: point the resumed run at the healthy stand-in the way a restarted server would come back.
    db.prepare("UPDATE runs SET options_json = json_set(options_json, '$.backendOptions.baseUrl', ?) WHERE id = ?").run(healthy.url, run.id);
    const resumed = await prepareResume(db, 'stop');
    const finished = await executeRun(db, resumed.run, resumed.backend);
    await resumed.backend.dispose();
    expect(finished.status).toBe('finished');
    const after = predictions(run.id);
    expect(after).toHaveLength(20);
    expect(after.filter((p) => before.some((b) => b.pairId === p.pairId))).toEqual(before);
    expect(healthy.chatCount()).toBe(20 - before.length);
  }, 60_000);
});

describe('the DUA boundary, enforced before any connection', () => {
  it('refuses a host that is not loopback and not allowed, with no connection attempted and no run created', async () => {
    const connections = recordConnections();
    await expect(prepareNewRun(db, { name: 'far', model: 'm', backend: 'openai', backendOptions: { baseUrl: 'http://10.255.255.1:8000/v1' } })).rejects.toThrow(/not a loopback address.*--allow-host 10\.255\.255\.1/);
    await expect(prepareNewRun(db, { name: 'far', model: 'm', backend: 'openai', backendOptions: { baseUrl: 'http://gpu.example.org/v1', allowHost: ['gpu.example.org'] } })).rejects.toThrow(/--allow-insecure/);
    connections.restore();
    expect(connections.targets).toEqual([]);
    expect(listRuns(db).map((r) => r.name)).not.toContain('far');
  });

  it('records an allowed host in the manifest and the audit log', async () => {
    const server = await standin('vllm');
    // 127.0.0.2 is loopback too; "localhost" exercises the resolved-address check.
    const { run, backend } = await prepareNewRun(db, { name: 'named', model: 'standin-model', backend: 'openai', limit: 2, backendOptions: { baseUrl: `http://localhost:${server.port}/v1` } });
    await executeRun(db, run, backend);
    await backend.dispose();
    const manifest = getRun(db, 'named').manifest as { endpoint: { host: string; loopback: boolean } };
    expect(manifest.endpoint).toMatchObject({ host: 'localhost', loopback: true });
    const audit = db.prepare("SELECT facts_json AS facts FROM audit_events WHERE kind = 'run-start' AND subject = 'named'").get() as { facts: string };
    expect(JSON.parse(audit.facts)).toMatchObject({ endpoint: `http://localhost:${server.port}/v1`, endpointHost: 'localhost', endpointPort: server.port, endpointLoopback: true, endpointAllowedBy: null });
  });

  it('never follows a redirect', async () => {
    const target = await standin('vllm');
    const redirecting = await standin('vllm', { redirectTo: `${target.url}/models` });
    await expect(prepareNewRun(db, { name: 'redirect', model: 'standin-model', backend: 'openai', backendOptions: { baseUrl: redirecting.url } })).rejects.toThrow(/redirect.*never followed/);
    expect(target.requests).toEqual([]);
  });

  it('reads the API key from the environment only, and stores it nowhere', async () => {
    const key = 'sk-standin-3f9a1c77e2';
    const server = await standin('vllm', { apiKey: key });
    await expect(prepareNewRun(db, { name: 'nokey', model: 'standin-model', backend: 'openai', backendOptions: { baseUrl: server.url, apiKeyEnv: 'MEDBENCH_TEST_KEY' } }, {})).rejects.toThrow(/MEDBENCH_TEST_KEY.*not set/);
    const { run, backend } = await prepareNewRun(db, { name: 'key', model: 'standin-model', backend: 'openai', limit: 3, backendOptions: { baseUrl: server.url, apiKeyEnv: 'MEDBENCH_TEST_KEY' } }, { MEDBENCH_TEST_KEY: key });
    await executeRun(db, run, backend);
    await backend.dispose();
    expect(server.requests.every((r) => r.authorized)).toBe(true);
    expect(getRun(db, 'key').manifest).toMatchObject({ apiKeyEnv: 'MEDBENCH_TEST_KEY' });
    db.pragma('wal_checkpoint(TRUNCATE)');
    for (const file of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(dir, file)).includes(key), file).toBe(false);
  });

  it('names the models a server has when asked for one it does not serve', async () => {
    const server = await standin('ollama', { models: ['llama3.1:8b', 'qwen2.5:7b'] });
    await expect(prepareNewRun(db, { name: 'x', model: 'gpt-4', backend: 'openai', backendOptions: { baseUrl: server.url } })).rejects.toThrow(/does not serve a model named "gpt-4".*llama3\.1:8b, qwen2\.5:7b/);
  });
});

describe('the prompts of a note, escaped once', () => {
  const note: EngineNote = {
    noteKey: 1,
    sentences: [
      { id: 1, text: 'Admitted with "chest pain" \\ dyspnea.' },
      { id: 2, text: 'Line\nbreak, tab\tand 漢字 😀.' },
    ],
    concepts: [],
  };
  const concepts = [
    { pairId: 1, code: 'I10', desc: 'Essential "primary" hypertension' },
    { pairId: 2, code: 'E11.9', desc: 'Type 2 diabetes ✓' },
    { pairId: 3, code: 'Z00', desc: '' },
  ];
  const joined = (prompt: { shared: Buffer; own: string }) => Buffer.concat([prompt.shared, Buffer.from(prompt.own)]).toString('utf8');
  const whole = (template: string, sentences: EngineNote['sentences'], concept: (typeof concepts)[number]) => {
    const rendered = renderPrompt(template, sentences, concept, 'binary');
    return jsonStringContent(rendered.prefix + rendered.suffix);
  };

  it('equal each concept’s prompt escaped whole, and share one encoded note', () => {
    const template = builtInPromptTemplate().text;
    const prompts = notePromptsAsJson(template, note, 'binary');
    const made = concepts.map((concept) => prompts(concept));
    for (const [i, concept] of concepts.entries()) expect(joined(made[i]!)).toBe(whole(template, note.sentences, concept));
    expect(made[1]!.shared).toBe(made[0]!.shared);
    expect(made[2]!.shared).toBe(made[0]!.shared);
  });

  it('escape the whole prompt when the note ends inside a surrogate pair the template completes', () => {
    // A custom template with the concept line right after the note: cutting there would escape the two halves of 😀 apart.
    const template = '{{note}}\uDE00 Concept: {{code}} {{desc}}';
    const split: EngineNote = { ...note, sentences: [{ id: 1, text: 'Ends in a high surrogate \uD83D' }] };
    const prompts = notePromptsAsJson(template, split, 'binary');
    for (const concept of concepts) {
      const prompt = prompts(concept);
      expect(prompt.shared.length).toBe(0);
      expect(joined(prompt)).toBe(whole(template, split.sentences, concept));
      expect(joined(prompt)).toContain('😀');
    }
  });
});
