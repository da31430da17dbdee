import type { IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import {
  callNames,
  channelOf,
  dispatchCall,
  eventChannelOf,
  eventNames,
  events,
  failure,
  type CallHandlers,
  type EventName,
} from '../shared/contract';

/** The frame that sent a call: only its URL and whether it is a top-level frame matter. */
export type SenderFrame = Pick<WebFrameMain, 'url' | 'parent'> | null | undefined;

/** A call is ours when it comes from the top frame of a page we loaded ourselves. */
export function isTrustedSender(frame: SenderFrame, isTrustedPageUrl: (url: string) => boolean): boolean {
  return frame !== null && frame !== undefined && frame.parent === null && isTrustedPageUrl(frame.url);
}

/**
 * Registers one ipcMain handler per contract call. Each refuses senders other than the app's own
 * top-level page (a subframe or any other page could otherwise reach the database).
 */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle'>,
  handlers: CallHandlers,
  isTrustedPageUrl: (url: string) => boolean,
): void {
  for (const name of callNames) {
    ipcMain.handle(channelOf(name), async (event: IpcMainInvokeEvent, payload: unknown) => {
      if (!isTrustedSender(event.senderFrame, isTrustedPageUrl)) {
        return failure('invalid-request', `${name}: refused, the call did not come from the MedBench Local window`);
      }
      // The same validation and error mapping as `medbench serve`: payload, handler, response.
      return dispatchCall(handlers, name, payload);
    });
  }
}

/** Where events go: the app window's webContents, while it exists. */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

/**
 * Forwards the core's events to the window on their event channels. Unknown names and payloads
 * outside the contract are dropped: the renderer only ever sees what the contract promises.
 * Returns the function that stops forwarding.
 */
export function forwardEvents(
  subscribe: (listener: (name: string, payload: unknown) => void) => () => void,
  targets: () => readonly EventTarget[],
): () => void {
  const known = new Set<string>(eventNames);
  return subscribe((name, payload) => {
    if (!known.has(name)) return;
    const eventName = name as EventName;
    const checked = events[eventName].safeParse(payload);
    if (!checked.success) return;
    for (const target of targets()) {
      if (!target.isDestroyed()) target.send(eventChannelOf(eventName), checked.data);
    }
  });
}
