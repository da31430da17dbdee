/**
 * A seeded generator (mulberry32): the build's sampling and the synthetic tables must give the same
 * result for the same seed on every platform and Node version, which Math.random cannot promise.
 */
export type Rng = () => number;

export function seededRng(seed: number): Rng {
  let state = (seed ^ 0x6d2b79f5) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A derived stream, so that adding draws to one stage does not shift the draws of another. */
export function subRng(seed: number, stream: string): Rng {
  let hash = 2166136261;
  for (const char of stream) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return seededRng((seed ^ hash) >>> 0);
}

export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * k items drawn without replacement with probability proportional to their weight
 * (Efraimidis–Spirakis: the k largest u^(1/w)); items of weight 0 are never drawn.
 */
export function weightedSample<T>(items: readonly T[], weight: (item: T) => number, k: number, rng: Rng): T[] {
  const keyed: { item: T; key: number }[] = [];
  for (const item of items) {
    const w = weight(item);
    const u = rng();
    if (w > 0) keyed.push({ item, key: Math.log(u) / w });
  }
  keyed.sort((a, b) => b.key - a.key);
  return keyed.slice(0, k).map((entry) => entry.item);
}
