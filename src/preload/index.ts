import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { callNames, channelOf, eventChannelOf, eventNames, type EventName, type MedbenchApi } from '../shared/contract';

/**
 * The renderer's whole view of the main process: one named function per contract call and
 * `on(event, listener)`. ipcRenderer itself never crosses the bridge, and listeners get the
 * payload only (the IPC event object would hand the page `sender`, i.e. ipcRenderer).
 */
const calls = Object.fromEntries(callNames.map((name) => [name, (request?: unknown) => ipcRenderer.invoke(channelOf(name), request)]));

function on(event: EventName, listener: (payload: unknown) => void): () => void {
  if (!eventNames.includes(event)) throw new Error(`unknown event: ${String(event)}`);
  if (typeof listener !== 'function') throw new Error('on(event, listener): the listener must be a function');
  const channel = eventChannelOf(event);
  const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, forward);
  return () => {
    ipcRenderer.removeListener(channel, forward);
  };
}

const api = { ...calls, on } as unknown as MedbenchApi;

contextBridge.exposeInMainWorld('medbench', api);
