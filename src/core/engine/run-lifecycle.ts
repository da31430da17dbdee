/**
 * A run's life beyond start and finish: the status a reader should see (a run stored as running whose
 * writer process is gone is *interrupted*, computed on read, so nothing has to clean up after a
 * SIGKILL), whether it can be resumed, renaming and deleting.
 */
import type { ActionHint, RunStatusValue, RunWarning } from '../../shared/contract';
import { recordAudit } from '../audit';
import type { Db } from '../store/database';
import { findRun, getRun, processAlive, RunError, type RunRecord } from './runs';

export type EffectiveStatus = RunStatusValue;

/**
 * The status to show: 'interrupted' when the row says running but no live process owns it (killed,
 * crashed, power cut). A running row with no owner pid at all is also interrupted: every writer
 * records its pid when it claims the run.
 */
export function effectiveStatus(run: Pick<RunRecord, 'status'> & { ownerPid?: number | null }, ownerPid?: number | null): EffectiveStatus {
  if (run.status !== 'running') return run.status;
  const pid = ownerPid !== undefined ? ownerPid : run.ownerPid;
  // Unknown owner (a caller without the column): trust the stored status.
  if (pid === undefined) return 'running';
  return pid !== null && processAlive(pid) ? 'running' : 'interrupted';
}

/** The writer's pid as stored (null when released). */
export function ownerPidOf(db: Db, runId: number): number | null {
  const row = db.prepare('SELECT owner_pid AS ownerPid FROM runs WHERE id = ?').get(runId) as { ownerPid: number | null } | undefined;
  return row?.ownerPid ?? null;
}

export interface RunState {
  status: EffectiveStatus;
  resumable: boolean;
  hint: ActionHint | null;
}

/** Status, resumability and the action to offer, from the stored row and the owner's liveness. */
export function runState(db: Db, run: RunRecord): RunState {
  const status = effectiveStatus(run, run.status === 'running' ? ownerPidOf(db, run.id) : null);
  const left = run.planned - run.done;
  const resumable = run.backend !== 'external' && left > 0 && (status === 'stopped' || status === 'failed' || status === 'interrupted');
  return { status, resumable, hint: resumable ? { action: 'resume-run', run: run.name } : null };
}

/** Warnings that come from the run's state rather than its numbers. */
export function runWarnings(db: Db, run: RunRecord): RunWarning[] {
  const warnings: RunWarning[] = [];
  if (runState(db, run).status === 'interrupted') {
    warnings.push({ kind: 'interrupted', run: run.name, message: `"${run.name}" was interrupted (the process writing it is gone) with ${run.planned - run.done} of ${run.planned} pairs left; resume it to finish` });
  }
  if (run.backend === 'external') {
    warnings.push({ kind: 'external', run: run.name, message: `"${run.name}" holds imported predictions: strategy and time were not recorded here` });
  }
  return warnings;
}

/** The CLI's and the UI's wording of a resumable state are their own; this is the core fact only. */
export function interruptedNote(run: RunRecord): string {
  return `run "${run.name}" was interrupted with ${run.planned - run.done} of ${run.planned} pairs left`;
}

/** Whether a live process (this one or another) is writing the run now. */
export function isBeingWritten(db: Db, run: RunRecord): boolean {
  return run.status === 'running' && effectiveStatus(run, ownerPidOf(db, run.id)) === 'running';
}

const NAME_PATTERN = /^[^\s/\\][^/\\]{0,199}$/;

export function renameRun(db: Db, name: string, newName: string): RunRecord {
  const run = getRun(db, name);
  const trimmed = newName.trim();
  if (!NAME_PATTERN.test(trimmed) || trimmed !== newName) throw new RunError(`"${newName}" is not a usable run name: 1 to 200 characters, no slashes, no leading or trailing spaces`);
  if (trimmed === name) return run;
  if (findRun(db, trimmed)) throw new RunError(`a run named "${trimmed}" already exists; choose another name`);
  if (isBeingWritten(db, run)) throw new RunError(`run "${name}" is being written right now; rename it once it has stopped`);
  db.transaction(() => {
    db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(trimmed, run.id);
    // The manifest does not name the run: nothing else to rewrite.
    recordAudit(db, { kind: 'run-rename', subject: trimmed, facts: { from: name, to: trimmed } });
  }).immediate();
  return getRun(db, trimmed);
}

export interface DeletedRun {
  deleted: string;
  predictions: number;
}

/** Deletes the run, its plan and its predictions (ON DELETE CASCADE); the audit log keeps the record. */
export function deleteRun(db: Db, name: string): DeletedRun {
  const run = getRun(db, name);
  if (isBeingWritten(db, run)) throw new RunError(`run "${name}" is being written right now; stop it before deleting it`);
  // A build's triage and re-judge runs hold its votes (pair provenance): they go only with the build.
  const build = db.prepare('SELECT name FROM builds WHERE triage_run_id = ? OR rejudge_run_id = ?').get(run.id, run.id) as { name: string } | undefined;
  if (build) throw new RunError(`run "${name}" holds the triage votes of build "${build.name}"; it cannot be deleted on its own`);
  db.transaction(() => {
    db.prepare('DELETE FROM runs WHERE id = ?').run(run.id);
    recordAudit(db, {
      kind: 'run-delete',
      subject: name,
      facts: { dataset: run.dataset, backend: run.backend, planned: run.planned, predictions: run.done, status: run.status, createdAt: run.createdAt },
    });
  }).immediate();
  return { deleted: name, predictions: run.done };
}
