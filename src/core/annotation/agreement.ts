/**
 * Inter-annotator agreement. Cohen's kappa is computed as scikit-learn's `cohen_kappa_score` with
 * no weights documents it: κ = (p_o − p_e) / (1 − p_e), where p_o is the observed share of equal
 * labels and p_e = Σ_k (n_k,a / n)(n_k,b / n) the agreement expected from each rater's own label
 * frequencies. When p_e = 1 (both raters used one and the same label throughout) scikit-learn
 * divides 0 by 0 and returns nan; here that is null ("undefined"), never a number.
 */
export function cohenKappa(a: readonly boolean[], b: readonly boolean[]): number | null {
  if (a.length !== b.length) throw new Error('cohenKappa: the two raters must label the same items');
  const n = a.length;
  if (n === 0) return null;
  let agree = 0;
  let aTrue = 0;
  let bTrue = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) agree++;
    if (a[i]) aTrue++;
    if (b[i]) bTrue++;
  }
  const po = agree / n;
  const pe = (aTrue / n) * (bTrue / n) + ((n - aTrue) / n) * ((n - bTrue) / n);
  if (pe === 1) return null;
  return (po - pe) / (1 - pe);
}

export interface Span {
  start: number;
  end: number;
}

/** Sorted, non-overlapping, non-empty spans (touching spans merged). */
export function normaliseSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).map((s) => ({ ...s })).sort((x, y) => x.start - y.start || x.end - y.end);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else out.push(span);
  }
  return out;
}

function covered(spans: readonly Span[]): number {
  return normaliseSpans(spans).reduce((sum, s) => sum + (s.end - s.start), 0);
}

/**
 * Character-level Jaccard of two annotators' evidence: |A ∩ B| / |A ∪ B| over the code points the
 * spans cover. null when neither marked any evidence (nothing to compare).
 */
export function spanJaccard(a: readonly Span[], b: readonly Span[]): number | null {
  const union = covered([...a, ...b]);
  if (union === 0) return null;
  const na = normaliseSpans(a);
  const nb = normaliseSpans(b);
  let intersection = 0;
  let i = 0;
  let j = 0;
  while (i < na.length && j < nb.length) {
    const start = Math.max(na[i]!.start, nb[j]!.start);
    const end = Math.min(na[i]!.end, nb[j]!.end);
    if (end > start) intersection += end - start;
    if (na[i]!.end < nb[j]!.end) i++;
    else j++;
  }
  return intersection / union;
}

/** Jaccard of two sets of sentence ids; null when both are empty. */
export function setJaccard(a: readonly number[], b: readonly number[]): number | null {
  const sa = new Set(a);
  const sb = new Set(b);
  const union = new Set([...sa, ...sb]).size;
  if (union === 0) return null;
  let both = 0;
  for (const x of sa) if (sb.has(x)) both++;
  return both / union;
}
