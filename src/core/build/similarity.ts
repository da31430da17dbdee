/**
 * Semantic similarity of code descriptions, for the "semantically similar" negatives: TF-IDF
 * cosine over the descriptions' words by default (no model needed, deterministic), or the cosine of
 * embeddings from a GGUF embedding model the user gives (see embeddings.ts).
 */

// Words that carry no meaning of their own in ICD titles.
const STOP = new Set(['of', 'and', 'or', 'the', 'with', 'without', 'in', 'to', 'a', 'an', 'for', 'by', 'as', 'on', 'due', 'other', 'not', 'elsewhere', 'classified']);

export function tokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((word) => !STOP.has(word) && word.length > 1);
}

export interface SimilarityIndex {
  /** Cosine similarity of two indexed items (0 when either is unknown). */
  similarity(a: string, b: string): number;
  /** The items most similar to `query`, best first, skipping `exclude`. */
  nearest(query: string, k: number, exclude: (id: string) => boolean): { id: string; similarity: number }[];
  readonly method: string;
}

/** A TF-IDF index over (id, text) items with an inverted index, so a query touches only items sharing a word. */
export function tfidfIndex(items: readonly { id: string; text: string }[]): SimilarityIndex {
  const documentFrequency = new Map<string, number>();
  const termLists = items.map((item) => tokens(item.text));
  for (const terms of termLists) for (const term of new Set(terms)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  const n = items.length;
  const vectors = new Map<string, Map<string, number>>();
  const postings = new Map<string, { id: string; weight: number }[]>();
  items.forEach((item, index) => {
    const counts = new Map<string, number>();
    for (const term of termLists[index]!) counts.set(term, (counts.get(term) ?? 0) + 1);
    const vector = new Map<string, number>();
    let norm = 0;
    for (const [term, count] of counts) {
      // Smoothed idf as scikit-learn's TfidfVectorizer: ln((1 + n) / (1 + df)) + 1.
      const weight = count * (Math.log((1 + n) / (1 + documentFrequency.get(term)!)) + 1);
      vector.set(term, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [term, weight] of vector) {
      vector.set(term, weight / norm);
      let list = postings.get(term);
      if (!list) postings.set(term, (list = []));
      list.push({ id: item.id, weight: weight / norm });
    }
    vectors.set(item.id, vector);
  });
  return {
    method: 'tfidf-cosine',
    similarity(a, b) {
      const va = vectors.get(a);
      const vb = vectors.get(b);
      if (!va || !vb) return 0;
      let dot = 0;
      for (const [term, weight] of va) dot += weight * (vb.get(term) ?? 0);
      return dot;
    },
    nearest(query, k, exclude) {
      const vector = vectors.get(query);
      if (!vector) return [];
      const scores = new Map<string, number>();
      for (const [term, weight] of vector) for (const posting of postings.get(term) ?? []) scores.set(posting.id, (scores.get(posting.id) ?? 0) + weight * posting.weight);
      return [...scores]
        .filter(([id]) => id !== query && !exclude(id))
        .map(([id, similarity]) => ({ id, similarity }))
        // Ties broken by id so the same inputs always give the same negatives.
        .sort((x, y) => y.similarity - x.similarity || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
        .slice(0, k);
    },
  };
}

/** An index over precomputed dense vectors (embeddings), normalised here. */
export function vectorIndex(vectors: ReadonlyMap<string, readonly number[]>, method: string): SimilarityIndex {
  const normalised = new Map<string, Float64Array>();
  for (const [id, vector] of vectors) {
    const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0)) || 1;
    normalised.set(id, Float64Array.from(vector, (v) => v / norm));
  }
  const dot = (a: Float64Array, b: Float64Array) => {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
    return sum;
  };
  return {
    method,
    similarity(a, b) {
      const va = normalised.get(a);
      const vb = normalised.get(b);
      return va && vb ? dot(va, vb) : 0;
    },
    nearest(query, k, exclude) {
      const vq = normalised.get(query);
      if (!vq) return [];
      return [...normalised]
        .filter(([id]) => id !== query && !exclude(id))
        .map(([id, v]) => ({ id, similarity: dot(vq, v) }))
        .sort((x, y) => y.similarity - x.similarity || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
        .slice(0, k);
    },
  };
}
