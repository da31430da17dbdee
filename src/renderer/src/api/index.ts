import { createContext, useContext } from 'react';
import { callError, type ActionHint, type CallErrorKind, type CallName, type CallRequest, type CallResponse, type MedbenchApi } from '../../../shared/contract';
import { httpApi } from './http';

/** The desktop app's preload bridge when there is one, else the HTTP client of `medbench serve`. */
export function chooseApi(): MedbenchApi {
  return window.medbench ?? httpApi();
}

/** A CallError turned into something a view can throw, catch and show. */
export class ApiError extends Error {
  constructor(
    readonly kind: CallErrorKind,
    message: string,
    /** What the user can do about it (a button in the error box), when the core knows. */
    readonly hint?: ActionHint,
  ) {
    super(message);
  }
}

/** Calls the core; an error answer is thrown as ApiError. */
export async function call<N extends CallName>(api: MedbenchApi, name: N, request: CallRequest<N>): Promise<CallResponse<N>> {
  const result: unknown = await (api[name] as (r: CallRequest<N>) => Promise<unknown>)(request);
  const error = callError.safeParse(result);
  if (error.success) throw new ApiError(error.data.error.kind, error.data.error.message, error.data.error.hint);
  return result as CallResponse<N>;
}

export const ApiContext = createContext<MedbenchApi | null>(null);

export function useApi(): MedbenchApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}
