import { useEffect, useState } from 'react';
import type { EventPayload } from '../../shared/contract';
import { useApi } from './api';
import { href, useRoute } from './hooks';
import { CompareView } from './views/CompareView';
import { DatasetsView } from './views/DatasetsView';
import { MetricsView } from './views/MetricsView';
import { ModelsView } from './views/ModelsView';
import { PairDetailView } from './views/PairDetailView';
import { PairsView } from './views/PairsView';
import { RunsView } from './views/RunsView';

const SECTIONS = [
  { path: 'datasets', label: 'Datasets' },
  { path: 'pairs', label: 'Pairs' },
  { path: 'runs', label: 'Runs' },
  { path: 'metrics', label: 'Metrics' },
  { path: 'compare', label: 'Compare' },
  { path: 'models', label: 'Models' },
] as const;

export function App() {
  const route = useRoute();
  const section = route.path[0] ?? 'datasets';
  const active = section === 'pair' ? 'pairs' : section;
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
        {section === 'datasets' && <DatasetsView />}
        {section === 'pairs' && <PairsView query={route.query} />}
        {section === 'pair' && <PairDetailView pairId={Number(route.path[1])} query={route.query} />}
        {section === 'runs' && <RunsView />}
        {section === 'metrics' && <MetricsView query={route.query} />}
        {section === 'compare' && <CompareView query={route.query} />}
        {section === 'models' && <ModelsView />}
        {!SECTIONS.some((s) => s.path === section) && section !== 'pair' && (
          <p>
            No page here. Go to <a href={href('datasets')}>Datasets</a>.
          </p>
        )}
      </main>
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
