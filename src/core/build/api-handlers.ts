import { failure, type CallHandlers, type CallResponse } from '../../shared/contract';
import { exportDatasetRaw } from '../annotation/export-dataset-raw';
import {
  adjudicate,
  agreementReport,
  annotationTask,
  annotatorQueue,
  disagreementQueue,
  saveAnnotation,
  setupAnnotation,
} from '../annotation/workspace';
import { resolveDataset } from '../data/datasets';
import { listPairs } from '../data/pairs';
import { requireUserPath } from '../path-check';
import type { Db } from '../store/database';
import { withTypedApiKey } from '../typed-api-key';
import { checkBuildBackend, runBuild, type BuildProgress, type BuildRequest } from './build';
import type { BuildInputs } from './inputs';
import { buildSummary } from './provenance';

type BuildCalls =
  | 'startBuild' | 'cancelBuild' | 'listBuilds' | 'listProvenance' | 'setupAnnotation' | 'listAnnotation' | 'annotationQueue'
  | 'getAnnotationTask' | 'saveAnnotation' | 'annotationAgreement' | 'listDisagreements' | 'adjudicate' | 'exportDatasetRaw';

interface Job {
  name: string;
  state: 'running' | 'finished' | 'stopped' | 'failed';
  progress: string;
  error: string | null;
  controller: AbortController;
}

function describe(p: BuildProgress): string {
  if (p.stage === 'read') return `reading ${p.file}: ${p.rows} rows`;
  if (p.stage === 'plan') return `planning: ${p.detail}`;
  const left = Number.isFinite(p.progress.eta) ? `, about ${Math.max(1, Math.round(p.progress.eta))} s left` : '';
  return `${p.stage}: ${p.progress.done}/${p.progress.total} pairs${left}`;
}

/**
 * The build and annotation calls of the UI. A build runs in the background of the core process (one
 * at a time) and the UI follows it with listBuilds; its stages are resumable runs, so closing the
 * app mid-build loses nothing and starting it again continues.
 */
export function buildHandlers(db: Db): Pick<CallHandlers, BuildCalls> {
  let job: Job | null = null;
  return {
    startBuild: (request) => {
      if (job?.state === 'running') return failure('busy', `build "${job.name}" is running; wait for it or stop it first`);
      const inputs: BuildInputs =
        request.inputs.kind === 'mimic'
          ? {
              kind: 'mimic',
              diagnoses: requireUserPath(request.inputs.diagnoses, 'read-file'),
              procedures: requireUserPath(request.inputs.procedures, 'read-file'),
              icdDiagnoses: requireUserPath(request.inputs.icdDiagnoses, 'read-file'),
              icdProcedures: requireUserPath(request.inputs.icdProcedures, 'read-file'),
              notes: requireUserPath(request.inputs.notes, 'read-file'),
            }
          : {
              kind: 'plain',
              codes: requireUserPath(request.inputs.codes, 'read-file'),
              notes: requireUserPath(request.inputs.notes, 'read-file'),
              ...(request.inputs.codeTable ? { codeTable: requireUserPath(request.inputs.codeTable, 'read-file') } : {}),
            };
      // A typed key names its variable in the options (recorded) and is handed to this build only (never stored).
      const { backendOptions, secretEnv } = withTypedApiKey(request.backendOptions, request.apiKey);
      const buildRequest: BuildRequest = {
        name: request.name,
        admissions: request.admissions,
        seed: request.seed,
        triage: request.triage,
        ...(request.rejudge ? { rejudge: request.rejudge } : {}),
        negativesPrevalence: request.negativesPrevalence,
        negativesSimilar: request.negativesSimilar,
        ...(request.embed ? { embed: requireUserPath(request.embed, 'read-file') } : {}),
        ...(request.backend ? { backend: request.backend } : {}),
        ...(backendOptions ? { backendOptions } : {}),
        inputs,
      };
      // A bad backend option or an unconfirmed host is this call's error, shown by the form, not a failed job later.
      checkBuildBackend(buildRequest, secretEnv ? { ...process.env, ...secretEnv } : process.env);
      const current: Job = { name: request.name, state: 'running', progress: 'starting', error: null, controller: new AbortController() };
      job = current;
      void runBuild(db, buildRequest, {
        signal: current.controller.signal,
        onProgress: (p) => (current.progress = describe(p)),
        ...(secretEnv ? { secretEnv } : {}),
      }).then(
        (result) => {
          current.state = result.status;
          current.progress = result.status === 'finished' ? 'finished' : `stopped in the ${result.stage} stage: start it again to continue`;
        },
        (error: unknown) => {
          current.state = 'failed';
          current.error = (error as Error).message;
        },
      );
      return { started: true as const, name: request.name };
    },
    cancelBuild: ({ name }) => {
      if (job?.name !== name || job.state !== 'running') return { cancelled: false };
      job.controller.abort();
      return { cancelled: true };
    },
    listBuilds: () => {
      const names = (db.prepare('SELECT name FROM builds ORDER BY id').all() as { name: string }[]).map((r) => r.name);
      const builds = names.map((n) => buildSummary(db, n));
      const current: CallResponse<'listBuilds'>['job'] = job ? { name: job.name, state: job.state, progress: job.progress, error: job.error } : null;
      return { builds, job: current };
    },
    listProvenance: ({ dataset }) => ({
      pairs: listPairs(db, resolveDataset(db, dataset).id)
        .filter((p) => p.provenance)
        .map((p) => ({ taskId: p.taskId, code: p.code, desc: p.desc, gold: p.gold, provenance: p.provenance! })),
    }),
    setupAnnotation: (request) => setupAnnotation(db, request.dataset, { annotators: request.annotators, ...(request.blind !== undefined ? { blind: request.blind } : {}), ...(request.showTriage !== undefined ? { showTriage: request.showTriage } : {}) }),
    listAnnotation: ({ dataset }) => {
      const rows = db
        .prepare(
          `SELECT d.name, s.blind, s.show_triage AS showTriage,
             (SELECT group_concat(name, char(31)) FROM (SELECT DISTINCT n.name FROM annotation_assignments a JOIN annotators n ON n.id = a.annotator_id JOIN pairs p ON p.id = a.pair_id WHERE p.dataset_id = d.id ORDER BY n.name)) AS annotators
           FROM annotation_setups s JOIN datasets d ON d.id = s.dataset_id ${dataset ? 'WHERE d.name = ?' : ''} ORDER BY d.name`,
        )
        .all(...(dataset ? [dataset] : [])) as { name: string; blind: number; showTriage: number; annotators: string | null }[];
      return { datasets: rows.map((r) => ({ name: r.name, blind: r.blind === 1, showTriage: r.showTriage === 1, annotators: r.annotators ? r.annotators.split('\u001f') : [] })) };
    },
    annotationQueue: ({ dataset, annotator }) => ({ items: annotatorQueue(db, dataset, annotator) }),
    getAnnotationTask: ({ dataset, annotator, taskId, code }) => annotationTask(db, dataset, annotator, taskId, code),
    saveAnnotation: (request) =>
      saveAnnotation(db, {
        dataset: request.dataset,
        annotator: request.annotator,
        taskId: request.taskId,
        code: request.code,
        ...(request.label !== undefined ? { label: request.label } : {}),
        ...(request.spans !== undefined ? { spans: request.spans } : {}),
        ...(request.rationale !== undefined ? { rationale: request.rationale } : {}),
        ...(request.submit !== undefined ? { submit: request.submit } : {}),
      }),
    annotationAgreement: ({ dataset }) => agreementReport(db, dataset),
    listDisagreements: ({ dataset, open }) => ({ items: disagreementQueue(db, dataset, { open: open ?? false }) }),
    adjudicate: (request) =>
      adjudicate(db, {
        dataset: request.dataset,
        taskId: request.taskId,
        code: request.code,
        adjudicator: request.adjudicator,
        outcome: request.outcome,
        ...(request.label !== undefined ? { label: request.label } : {}),
        ...(request.spans !== undefined ? { spans: request.spans } : {}),
        ...(request.rationale !== undefined ? { rationale: request.rationale } : {}),
      }),
    exportDatasetRaw: ({ dataset, out }) => exportDatasetRaw(db, dataset, requireUserPath(out, 'write-file')),
  };
}
