import { lazy, Suspense, useEffect, useState } from 'react';
import type { EventPayload } from '../../shared/contract';
import { useApi } from './api';
import { Loading } from './components';
import { href, useRoute, useTitle } from './hooks';

// One chunk per view: the first page loads only its own code (and recharts only where charts are).
const CompareView = lazy(() => import('./views/CompareView').then((m) => ({ default: m.CompareView })));
const DatasetsView = lazy(() => import('./views/DatasetsView').then((m) => ({ default: m.DatasetsView })));
const MetricsView = lazy(() => import('./views/MetricsView').then((m) => ({ default: m.MetricsView })));
const ModelsView = lazy(() => import('./views/ModelsView').then((m) => ({ default: m.ModelsView })));
const PairDetailView = lazy(() => import('./views/PairDetailView').then((m) => ({ default: m.PairDetailView })));
const PairsView = lazy(() => import('./views/PairsView').then((m) => ({ default: m.PairsView })));
const RunsView = lazy(() => import('./views/RunsView').then((m) => ({ default: m.RunsView })));
const BuildView = lazy(() => import('./views/BuildView').then((m) => ({ default: m.BuildView })));
const AnnotateView = lazy(() => import('./views/AnnotateView').then((m) => ({ default: m.AnnotateView })));

const SECTIONS = [
  { path: 'datasets', label: 'Datasets' },
  { path: 'pairs', label: 'Pairs' },
  { path: 'runs', label: 'Runs' },
  { path: 'metrics', label: 'Metrics' },
  { path: 'compare', label: 'Compare' },
  { path: 'models', label: 'Models' },
  { path: 'build', label: 'Build' },
  { path: 'annotate', label: 'Annotate' },
] as const;

export function App() {
  const route = useRoute();
  const section = route.path[0] ?? 'datasets';
  const active = section === 'pair' ? 'pairs' : section;
  // The pair view refines this title (code and description) once the pair is loaded.
  useTitle(titleOf(section, route.path, route.query));
  return (
    <div className="layout">
      <nav className="sidebar" aria-label="Sections">
        <div className="brand">
          MedBench <span>Local</span>
        </div>
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.path}>
              <a href={href(s.path)} aria-current={active === s.path ? 'page' : undefined}>
                {s.label}
              </a>
            </li>
          ))}
        </ul>
        <RunIndicator />
        <p className="sidebar-note">Offline: note text never leaves this machine.</p>
      </nav>
      <main className="content">
        <CoreCrashNotice />
        <Suspense fallback={<Loading what="the page" />}>
          {section === 'datasets' && <DatasetsView />}
          {section === 'pairs' && <PairsView query={route.query} />}
          {section === 'pair' && <PairDetailView pairId={Number(route.path[1])} query={route.query} />}
          {section === 'runs' && <RunsView />}
          {section === 'metrics' && <MetricsView query={route.query} />}
          {section === 'compare' && <CompareView query={route.query} />}
          {section === 'models' && <ModelsView />}
          {section === 'build' && <BuildView />}
          {section === 'annotate' && <AnnotateView query={route.query} />}
          {!SECTIONS.some((s) => s.path === section) && section !== 'pair' && (
            <p>
              No page here. Go to <a href={href('datasets')}>Datasets</a>.
            </p>
          )}
        </Suspense>
      </main>
    </div>
  );
}

function titleOf(section: string, path: string[], query: URLSearchParams): string {
  const label = SECTIONS.find((s) => s.path === section)?.label;
  if (section === 'pair') return `Pair ${path[1] ?? ''}`;
  if (!label) return 'Not found';
  const run = query.get('run');
  if (section === 'metrics' && run) return `${label}: ${run}`;
  if (section === 'compare' && query.get('runs')) return `${label}: ${query.get('runs')!.split(',').join(' vs ')}`;
  return label;
}

/** The desktop app's core process died: say so, and what became of a run it had going. */
function CoreCrashNotice() {
  const api = useApi();
  const [crash, setCrash] = useState<EventPayload<'coreCrashed'> | null>(null);
  useEffect(() => api.on('coreCrashed', setCrash), [api]);
  if (!crash) return null;
  return (
    <div className="error-box" role="alert">
      <p>
        The MedBench core process stopped unexpectedly{crash.exitCode !== null ? ` (exit code ${crash.exitCode})` : ''}.{' '}
        {crash.restarted ? 'It has been restarted; reload the view you were on.' : 'It stopped repeatedly and was not restarted: quit and reopen the app.'}
      </p>
      {crash.run && (
        <p>
          Run <a href={href('runs')}>{crash.run}</a> stopped with it; its saved predictions are kept and it can be resumed.
        </p>
      )}
      <button type="button" onClick={() => setCrash(null)}>
        Dismiss
      </button>
    </div>
  );
}

/** A run going in the background stays visible from every view. */
function RunIndicator() {
  const api = useApi();
  const [progress, setProgress] = useState<EventPayload<'runProgress'> | null>(null);
  useEffect(() => {
    const offProgress = api.on('runProgress', setProgress);
    const offFinished = api.on('runFinished', () => setProgress(null));
    return () => {
      offProgress();
      offFinished();
    };
  }, [api]);
  if (!progress) return null;
  return (
    <a className="run-indicator" href={href('runs')}>
      Running {progress.run}: {progress.done}/{progress.total}
    </a>
  );
}
