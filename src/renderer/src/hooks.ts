import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CallName, CallRequest, CallResponse } from '../../shared/contract';
import { call, useApi, type ApiError } from './api';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | Error | null;
  loading: boolean;
  reload: () => void;
}

/** Calls the core when the request changes (compared as JSON) and on reload(). A null request waits. */
export function useCall<N extends CallName>(name: N, request: CallRequest<N> | null): Loaded<CallResponse<N>> {
  const api = useApi();
  const key = request === null ? null : JSON.stringify(request);
  const [state, setState] = useState<{ data: CallResponse<N> | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: key !== null });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (key === null) return;
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    call(api, name, JSON.parse(key) as CallRequest<N>).then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: Error) => current && setState({ data: null, error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [api, name, key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

/** The tab's title names the view (and its subject): several tabs and the history stay readable. */
export function useTitle(title: string | null): void {
  useEffect(() => {
    if (title) document.title = `${title} · MedBench Local`;
  }, [title]);
}

export interface Route {
  path: string[];
  query: URLSearchParams;
}

function parseHash(): Route {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [pathPart = '', queryPart = ''] = hash.split('?');
  return { path: pathPart.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(queryPart) };
}

/** Hash routes (#/pairs?dataset=demo): they work from file:// in the app and from the server alike. */
export function useRoute(): Route {
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    const onChange = () => setRoute(parseHash());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(path: string, query: Record<string, string | number | undefined | null> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const search = params.toString();
  return `#/${path}${search ? `?${search}` : ''}`;
}

/**
 * Sets some keys of the address's query without a new history entry and without a hashchange:
 * state that changes often (search text, selected row, scroll offset) lives in the URL, so Back and
 * a reload restore it, without a history entry per key press. Only the keys named change (a late
 * timer never undoes a filter chosen meanwhile), and only while `path`'s view shows.
 */
export function replaceQuery(path: string, changes: Record<string, string | number | undefined | null>): void {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [pathPart = '', queryPart = ''] = hash.split('?');
  if (pathPart.split('/')[0] !== path.split('/')[0]) return;
  const params = new URLSearchParams(queryPart);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === null || value === '') params.delete(key);
    else params.set(key, String(value));
  }
  const search = params.toString();
  const next = `#/${pathPart}${search ? `?${search}` : ''}`;
  if (window.location.hash !== next) window.history.replaceState(window.history.state, '', next);
}

export function navigate(path: string, query: Record<string, string | number | undefined | null> = {}): void {
  window.location.hash = href(path, query);
}

export interface FormAction<T> {
  busy: boolean;
  error: Error | null;
  /** The last successful result, cleared when the form is submitted again. */
  result: T | null;
  /** The form's onSubmit. */
  submit: (event: FormEvent) => void;
}

/** A form that calls the core on submit: busy while the call runs, then its result or its error (never both). */
export function useFormAction<T>(perform: () => Promise<T>): FormAction<T> {
  const [state, setState] = useState<{ busy: boolean; error: Error | null; result: T | null }>({ busy: false, error: null, result: null });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setState({ busy: true, error: null, result: null });
    perform().then(
      (result) => setState({ busy: false, error: null, result }),
      (error: Error) => setState({ busy: false, error, result: null }),
    );
  };
  return { ...state, submit };
}
