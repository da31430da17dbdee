import type { PairOutcome } from '../../../shared/contract';

export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? 'n/a' : `${(value * 100).toFixed(digits)}%`;
}

export function interval(ci: readonly [number, number] | null | undefined): string {
  return ci ? `${percent(ci[0])} – ${percent(ci[1])}` : 'n/a';
}

/** A signed difference in percentage points. */
export function points(value: number): string {
  const pts = value * 100;
  return `${pts > 0 ? '+' : pts < 0 ? '−' : '±'}${Math.abs(pts).toFixed(1)} pt`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function bytes(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (value >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(1)} GiB`;
  if (value >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  return `${(value / 1024).toFixed(0)} KiB`;
}

export function pValue(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

export const OUTCOME_LABELS: Record<PairOutcome, string> = {
  tp: 'TP',
  fp: 'FP',
  fn: 'FN',
  tn: 'TN',
  invalid: 'invalid',
  missing: 'not yet',
};

export function isCorrect(outcome: PairOutcome): boolean {
  return outcome === 'tp' || outcome === 'tn';
}
