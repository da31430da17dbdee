import type { ReactNode } from 'react';
import type { ActionHint, PairOutcome, RunWarning } from '../../../shared/contract';
import { ApiError } from '../api';
import { href } from '../hooks';
import { OUTCOME_LABELS } from '../lib/format';

/** What the user can do about an error, in the UI's words (the core's hint is UI-neutral). */
function HintAction({ hint }: { hint: ActionHint }) {
  switch (hint.action) {
    case 'resume-run':
      return <>Resume {hint.run ? `“${hint.run}”` : 'it'} from the <a href={href('runs')}>Runs</a> page.</>;
    case 'register-model':
      return <>Register the model on the <a href={href('models')}>Models</a> page.</>;
    case 'import-dataset':
      return <>Import a dataset on the <a href={href('datasets')}>Datasets</a> page.</>;
    case 'wait-for-run':
      return <>Wait for the current run to finish, or cancel it on the <a href={href('runs')}>Runs</a> page.</>;
    case 'choose-other-name':
      return <>Choose another name.</>;
    case 'choose-other-path':
      return <>Choose another path.</>;
  }
}

export function ErrorBox({ error, hint }: { error: Error; hint?: ReactNode }) {
  const kind = error instanceof ApiError ? error.kind : 'failed';
  const action = error instanceof ApiError ? error.hint : undefined;
  return (
    <div className="error-box" role="alert">
      <strong>{kind === 'busy' ? 'Busy' : kind === 'not-found' ? 'Not found' : kind === 'unavailable' ? 'Unavailable' : 'Something went wrong'}</strong>
      <p>{error.message}</p>
      {action && (
        <p>
          <HintAction hint={action} />
        </p>
      )}
      {hint && <p className="muted">{hint}</p>}
    </div>
  );
}

/** Mistakes a form found before sending anything. The list sits inside the alert: a role on the list itself would take away its list semantics. */
export function ProblemList({ problems }: { problems: readonly string[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="error-box" role="alert">
      <ul className="problem-list">
        {problems.map((p, i) => (
          <li key={i}>{p}</li>
        ))}
      </ul>
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

/** A run's warnings (degenerate answers, small n, fewer pairs, interrupted, imported), wherever its numbers show. */
export function Warnings({ warnings, compact = false }: { warnings: readonly RunWarning[] | undefined; compact?: boolean }) {
  if (!warnings || warnings.length === 0) return null;
  if (compact) {
    // In a table cell: a short flag, the whole message on hover and for screen readers.
    return (
      <span className="warning-flags">
        {warnings.map((w, i) => (
          <span key={i} className={`badge warning-flag warning-${w.kind}`} data-warning={w.kind} title={w.message}>
            <span aria-hidden="true">⚠ </span>
            {WARNING_SHORT[w.kind]}
            <span className="sr-only">: {w.message}</span>
          </span>
        ))}
      </span>
    );
  }
  return (
    <ul className="warnings" aria-label="Warnings">
      {warnings.map((w, i) => (
        <li key={i} className={`warning-item warning-${w.kind}`} data-warning={w.kind}>
          <strong>{WARNING_TITLES[w.kind]}</strong> {w.message}
        </li>
      ))}
    </ul>
  );
}

const WARNING_TITLES: Record<RunWarning['kind'], string> = {
  degenerate: 'One answer for nearly everything:',
  'small-n': 'Few pairs:',
  'fewer-pairs': 'Fewer pairs compared:',
  interrupted: 'Interrupted:',
  external: 'Imported predictions:',
};

const WARNING_SHORT: Record<RunWarning['kind'], string> = {
  degenerate: 'one label',
  'small-n': 'few pairs',
  'fewer-pairs': 'fewer pairs',
  interrupted: 'interrupted',
  external: 'imported',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{status}</span>;
}
