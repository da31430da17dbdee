import { getLlamaForMachine, validateGgufFile } from '../models/gguf';

/**
 * Embeds code descriptions with a GGUF embedding model through node-llama-cpp (never a download or
 * a build, like every model load here). Loaded only when `--embed MODEL` is given.
 */
export async function embedTexts(
  modelPath: string,
  texts: ReadonlyMap<string, string>,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<Map<string, number[]>> {
  // The header is validated first, so a broken or non-GGUF file is a clear error, not a native crash.
  const inspection = await validateGgufFile(modelPath);
  const llama = await getLlamaForMachine({ gpu: 'auto' });
  const model = await llama.loadModel({ modelPath: inspection.path });
  try {
    const context = await model.createEmbeddingContext({ threads: llama.cpuMathCores });
    try {
      const vectors = new Map<string, number[]>();
      let done = 0;
      for (const [id, text] of texts) {
        if (options.signal?.aborted) throw new Error('embedding stopped');
        const embedding = await context.getEmbeddingFor(text);
        vectors.set(id, [...embedding.vector]);
        options.onProgress?.(++done, texts.size);
      }
      return vectors;
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}
