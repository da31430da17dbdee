import { contextBridge, ipcRenderer } from 'electron';
import { callNames, channelOf, type MedbenchApi } from '../shared/contract';

/** Named functions from the contract, never ipcRenderer itself. */
const api = Object.fromEntries(callNames.map((name) => [name, (request: unknown) => ipcRenderer.invoke(channelOf(name), request)])) as unknown as MedbenchApi;

contextBridge.exposeInMainWorld('medbench', api);
