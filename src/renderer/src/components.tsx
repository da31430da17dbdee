import type { ReactNode } from 'react';
import type { PairOutcome } from '../../shared/contract';
import { ApiError } from './api';
import { OUTCOME_LABELS } from './lib/format';

export function ErrorBox({ error, hint }: { error: Error; hint?: ReactNode }) {
  const kind = error instanceof ApiError ? error.kind : 'failed';
  return (
    <div className="error-box" role="alert">
      <strong>{kind === 'busy' ? 'Busy' : kind === 'not-found' ? 'Not found' : kind === 'unavailable' ? 'Unavailable' : 'Something went wrong'}</strong>
      <p>{error.message}</p>
      {hint && <p className="muted">{hint}</p>}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      <div>{children}</div>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted loading">Loading {what}…</p>;
}

export function OutcomeBadge({ outcome }: { outcome: PairOutcome | null }) {
  if (!outcome) return <span className="muted">–</span>;
  return <span className={`badge outcome-${outcome}`}>{OUTCOME_LABELS[outcome]}</span>;
}

export function GoldBadge({ gold }: { gold: boolean }) {
  return <span className={`badge ${gold ? 'gold-true' : 'gold-false'}`}>{gold ? 'True' : 'False'}</span>;
}
