import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { callNames, channelOf, contract, type CallError, type CallName, type CallRequest, type CallResponse } from '../shared/contract';

/** One handler per contract call; a missing one is a compile error. */
export type Handlers = { [N in CallName]: (request: CallRequest<N>) => CallResponse<N> | Promise<CallResponse<N>> };

/**
 * Registers every contract call on ipcMain. Each call checks that it comes from the app's own
 * top-level frame, validates the payload, and returns errors as data.
 */
export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle'>, handlers: Handlers, isTrustedUrl: (url: string) => boolean): void {
  for (const name of callNames) {
    ipcMain.handle(channelOf(name), async (event: IpcMainInvokeEvent, payload: unknown) => {
      const frame = event.senderFrame;
      if (!frame || frame.parent !== null || !isTrustedUrl(frame.url)) {
        return failure('invalid-request', 'refused: the call did not come from the MedBench Local window');
      }
      const request = contract[name].request.safeParse(payload ?? {});
      if (!request.success) return failure('invalid-request', `${name}: ${request.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`);
      try {
        const handler = handlers[name] as (request: unknown) => unknown;
        return contract[name].response.parse(await handler(request.data));
      } catch (error) {
        return failure('failed', (error as Error).message);
      }
    });
  }
}

function failure(kind: CallError['error']['kind'], message: string): CallError {
  return { error: { kind, message } };
}
