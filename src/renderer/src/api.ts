import { callError, type CallName, type CallRequest, type CallResponse, type MedbenchApi } from '../../shared/contract';

/** The bridge the preload exposes in the desktop app; null in a plain browser tab. */
export function desktopApi(): MedbenchApi | null {
  return window.medbench ?? null;
}

/** Calls the core and turns an error result into a thrown Error the views can show. */
export async function call<N extends CallName>(api: MedbenchApi, name: N, request: CallRequest<N>): Promise<CallResponse<N>> {
  const result: unknown = await (api[name] as (r: CallRequest<N>) => Promise<unknown>)(request);
  const failure = callError.safeParse(result);
  if (failure.success) throw new Error(failure.data.error.message);
  return result as CallResponse<N>;
}
