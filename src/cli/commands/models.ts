import path from 'node:path';
import { Option, type Command } from 'commander';
import { findRegisteredModel, listModels, registerModel } from '../../core/models/registry';
import { hashProgressReporter } from '../hash-progress';
import { userDataDir } from '../../core/paths';
import { withStore } from '../context';
import { formatBytes, formatTable, printJson } from '../output';
import { positiveInt } from './run';
import { addBackendOptions, backendOptionsFrom } from '../backend-options';
import { UsageError } from '../errors';

export function registerModels(program: Command): void {
  const models = program.command('models').description('register and inspect local GGUF models (nothing is ever downloaded)');

  models
    .command('add')
    .argument('<path>', 'a GGUF file')
    .description('register a GGUF file by path: validated, hashed (sha256) and described from its metadata')
    .option('--copy', 'copy the file into the models folder of the user data folder')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (file: string, options: { copy?: boolean; db?: string; json?: boolean }) => {
      const { model, created } = await withStore(options, (db) => registerModel(db, file, { copy: options.copy, modelsDir: path.join(userDataDir(), 'models'), onHashProgress: hashProgressReporter() }));
      if (options.json) printJson({ ...model, created });
      else process.stdout.write(`${created ? 'Registered' : 'Already registered'} model ${model.id}: ${model.fileName} (${model.architecture ?? '?'}, ${model.quantization ?? '?'}, ${formatBytes(model.sizeBytes)}) sha256 ${model.sha256.slice(0, 16)}…\n`);
    });

  const listCommand = models
    .command('list')
    .description('list registered models, or with --backend openai --base-url URL the models a server serves')
    .option('--db <file>', 'database file')
    .option('--json', 'print a JSON array (with --backend openai: one object with the server and its models)');
  // The server backend's flags (--base-url, --api-key-env, --allow-host, ...) from the backend registry.
  addBackendOptions(listCommand, ['openai']);
  listCommand.action(async (options: { db?: string; json?: boolean; backend?: string }) => {
      if (options.backend === 'openai') {
        const serverOptions = backendOptionsFrom(listCommand, 'openai');
        if (!serverOptions.baseUrl) throw new UsageError('models list --backend openai needs --base-url URL');
        const { listServerModels } = await import('../../core/engine/backends/openai/doctor');
        const server = await listServerModels(serverOptions as { baseUrl: string });
        if (options.json) printJson(server);
        else {
          process.stdout.write(`${server.baseUrl} (${server.flavor}${server.version ? ` ${server.version}` : ''}) serves:\n`);
          process.stdout.write(`${formatTable(['model', 'owned by', 'max context'], server.models.map((m) => [m.id, m.ownedBy ?? '', m.maxModelLen ?? '']))}\n`);
        }
        return;
      }
      const list = await withStore(options, (db) => listModels(db));
      if (options.json) {
        printJson(list);
        return;
      }
      if (list.length === 0) {
        process.stdout.write('No models registered. Add a GGUF file with: medbench models add PATH\n');
        return;
      }
      const rows = list.map((m) => [m.id, m.fileName, m.architecture ?? '', m.parameterCount ? `${(m.parameterCount / 1e9).toFixed(2)}B` : '', m.quantization ?? '', formatBytes(m.sizeBytes), m.trainedContext ?? '', m.hasChatTemplate ? 'yes' : 'no', m.missing ? 'MISSING' : m.sha256.slice(0, 12)]);
      process.stdout.write(`${formatTable(['id', 'file', 'arch', 'params', 'quant', 'size', 'context', 'chat template', 'sha256'], rows)}\n`);
  });

  models
    .command('inspect')
    .argument('<model>', 'a GGUF file, or a registered model id / sha256 prefix / file name')
    .description('metadata, memory estimate at a context size, and the compute backend found on this machine')
    .option('--context-size <n>', 'context size for the memory estimate', positiveInt)
    .addOption(new Option('--gpu <type>', 'compute backend').choices(['auto', 'cpu', 'cuda', 'vulkan', 'metal']).default('auto'))
    .option('--gpu-layers <n>', "layers on the GPU, or 'auto'", (v) => (v === 'auto' ? 'auto' : Number(v)), 'auto')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (ref: string, options: { contextSize?: number; gpu: 'auto' | 'cpu' | 'cuda' | 'vulkan' | 'metal'; gpuLayers: number | 'auto'; db?: string; json?: boolean }) => {
      const file = await withStore(options, (db) => findRegisteredModel(db, ref)?.path ?? ref);
      const { inspectGguf } = await import('../../core/models/gguf');
      const info = await inspectGguf(file, { contextSize: options.contextSize, gpu: options.gpu, gpuLayers: options.gpuLayers });
      if (options.json) {
        printJson(info);
        return;
      }
      const fit = info.fit;
      const lines = [
        `${info.fileName}  (${formatBytes(info.sizeBytes)})`,
        `  architecture   ${info.architecture ?? '?'}${info.parameterCount ? `, ${(info.parameterCount / 1e9).toFixed(2)}B parameters` : ''}`,
        `  quantization   ${info.quantization ?? '?'}`,
        `  trained ctx    ${info.trainedContext ?? '?'}`,
        `  chat template  ${info.hasChatTemplate ? 'yes' : 'no (plain completion prompts)'}`,
        `  compute        ${info.computeBackend}`,
        `  at context ${fit.contextSize}, ${fit.gpuLayers} GPU layers: RAM ${formatBytes(fit.ramBytes)} of ${formatBytes(fit.freeRamBytes)} free${fit.fitsRam ? '' : ' — DOES NOT FIT'}` +
          (fit.totalVramBytes !== null ? `; VRAM ${formatBytes(fit.vramBytes)} of ${formatBytes(fit.totalVramBytes)}${fit.fitsVram === false ? ' — DOES NOT FIT' : ''}` : ''),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
