import { afterEach, describe, expect, it } from 'vitest';
import { checkServer, listServerModels } from '../../../../../src/core/engine/backends/openai/doctor';
import { recordConnections, startStandin, type Standin } from '../../../../helpers/openai-standin';

const servers: Standin[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
async function standin(options: Parameters<typeof startStandin>[0]): Promise<Standin> {
  const server = await startStandin(options);
  servers.push(server);
  return server;
}
const byId = (checks: Awaited<ReturnType<typeof checkServer>>) => Object.fromEntries(checks.map((c) => [c.id, c]));

describe('medbench doctor --backend openai', () => {
  it('finds everything working on a current vLLM', async () => {
    const server = await standin({ flavor: 'vllm', models: ['Qwen/Qwen2.5-7B-Instruct'] });
    const checks = byId(await checkServer({ baseUrl: server.url }));
    for (const id of ['openai-endpoint', 'openai-models', 'openai-structured-output', 'openai-logprobs', 'openai-usage', 'openai-seed']) expect(checks[id]?.status, id).toBe('ok');
    expect(checks['openai-structured-output']!.detail).toMatch(/structured_outputs/);
    expect(checks['openai-models']!.detail).toMatch(/vllm 0\.12\.0 serves Qwen\/Qwen2\.5-7B-Instruct/);
  });

  it('uses guided_json on a vLLM before 0.12', async () => {
    const server = await standin({ flavor: 'vllm', version: '0.11.2' });
    expect(byId(await checkServer({ baseUrl: server.url }))['openai-structured-output']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/guided_json/) });
  });

  it('says what is missing on LM Studio (no logprobs, no cached tokens) and what the run does instead', async () => {
    const server = await standin({ flavor: 'lmstudio' });
    const checks = byId(await checkServer({ baseUrl: server.url }));
    expect(checks['openai-structured-output']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/response_format/) });
    expect(checks['openai-logprobs']).toMatchObject({ status: 'warn', detail: 'the server sent no logprobs' });
    expect(checks['openai-logprobs']!.fix).toMatch(/no probability/);
    expect(checks['openai-usage']!.status).toBe('warn');
  });

  it('falls back when the documented field is refused, and says which flag to pass', async () => {
    const server = await standin({ flavor: 'llama-server', rejectFields: ['json_schema'] });
    const check = byId(await checkServer({ baseUrl: server.url }))['openai-structured-output']!;
    expect(check).toMatchObject({ status: 'warn', fix: 'the run uses json_schema by default: pass --structured-output response_format' });
    expect(check.detail).toMatch(/json_schema: HTTP 400.*response_format works/);
  });

  it('fails clearly when the server is not there or the model is unknown', async () => {
    const server = await standin({ flavor: 'llama-server' });
    const port = server.port;
    await server.close();
    servers.splice(0);
    expect(byId(await checkServer({ baseUrl: `http://127.0.0.1:${port}/v1` }))['openai-models']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/ECONNREFUSED/) });
    const live = await standin({ flavor: 'llama-server' });
    expect(byId(await checkServer({ baseUrl: live.url, model: 'nope' }))['openai-model']).toMatchObject({ status: 'fail', fix: 'use one of: standin-model' });
  });

  it('refuses a host that is not allowed without connecting', async () => {
    const connections = recordConnections();
    const checks = byId(await checkServer({ baseUrl: 'https://gpu.hospital.example/v1' }));
    connections.restore();
    expect(checks['openai-endpoint']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/--allow-host gpu\.hospital\.example/) });
    expect(connections.targets).toEqual([]);
  });

  it('lists the models of each kind of server', async () => {
    const ollama = await standin({ flavor: 'ollama', models: ['llama3.1:8b'] });
    expect(await listServerModels({ baseUrl: ollama.url })).toMatchObject({ flavor: 'ollama', version: '0.13.0', models: [{ id: 'llama3.1:8b' }] });
    const llama = await standin({ flavor: 'llama-server', slots: 3 });
    expect(await listServerModels({ baseUrl: llama.url })).toMatchObject({ flavor: 'llama-server', slots: 3 });
  });
});
