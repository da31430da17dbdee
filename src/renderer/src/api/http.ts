import { callNames, failure, type EventName, type EventPayload, type MedbenchApi } from '../../../shared/contract';

/**
 * The contract over HTTP, for `medbench serve`: POST /api/<call> with a JSON body, events from
 * one Server-Sent Events stream. The token travels in the HttpOnly cookie the server set when
 * the page was opened with ?token=.
 */
export function httpApi(): MedbenchApi {
  const calls = Object.fromEntries(
    callNames.map((name) => [
      name,
      async (request: unknown) => {
        let response: Response;
        try {
          response = await fetch(`/api/${name}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(request ?? {}),
            credentials: 'same-origin',
          });
        } catch {
          return failure('unavailable', 'The MedBench Local server does not answer: it may have been stopped. Start it again, then reload this page.');
        }
        if (response.status === 401) return failure('unavailable', 'This page has no valid access token: open the address the server printed when it started (it ends with ?token=…).');
        try {
          return (await response.json()) as unknown;
        } catch {
          return failure('failed', `The server answered ${response.status} without a readable body.`);
        }
      },
    ]),
  );

  let source: EventSource | null = null;
  const on = <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    source ??= new EventSource('/api/events');
    const handler = (message: MessageEvent<string>) => listener(JSON.parse(message.data) as EventPayload<E>);
    source.addEventListener(event, handler as EventListener);
    return () => source?.removeEventListener(event, handler as EventListener);
  };

  return { ...calls, on } as unknown as MedbenchApi;
}
