import { describe, expect, it, vi } from 'vitest';
import { dispatchCall } from '../../src/shared/contract';
import { forwardEvents, isTrustedSender, registerIpcHandlers, type EventTarget } from '../../src/main/ipc';
import { isAppUrl } from '../../src/main/security';
import { callNames, channelOf, eventChannelOf, eventNames, type CallHandlers } from '../../src/shared/contract';

function fakeHandlers(): CallHandlers {
  const handlers = Object.fromEntries(
    callNames.map((name) => [name, vi.fn(async () => ({ error: { kind: 'unavailable', message: `${name}: not in this test` } }))]),
  ) as unknown as CallHandlers;
  handlers.listDatasets = vi.fn(async () => ({ dbPath: '/tmp/medbench.db', datasets: [] }));
  handlers.chooseFile = vi.fn(async () => ({ path: '/data/dataset_raw.csv' }));
  return handlers;
}

function registered(handlers: CallHandlers) {
  const channels = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>();
  registerIpcHandlers(
    {
      handle: (channel: string, listener: never) => {
        if (channels.has(channel)) throw new Error(`second handler for ${channel}`);
        channels.set(channel, listener);
      },
    } as never,
    handlers,
    isAppUrl,
  );
  return channels;
}

const topFrame = { url: 'app://medbench/index.html', parent: null };

describe('registerIpcHandlers', () => {
  it('registers exactly one handler per contract call', () => {
    const channels = registered(fakeHandlers());
    expect([...channels.keys()].sort()).toEqual(callNames.map(channelOf).sort());
    expect(channels.size).toBe(callNames.length);
  });

  it('passes a valid call from the app window to the core', async () => {
    const handlers = fakeHandlers();
    const channels = registered(handlers);
    await expect(channels.get(channelOf('chooseFile'))!({ senderFrame: topFrame }, { purpose: 'annotations' })).resolves.toEqual({
      path: '/data/dataset_raw.csv',
    });
    expect(handlers.chooseFile).toHaveBeenCalledWith({ purpose: 'annotations' });
  });

  it('refuses a foreign page, a subframe of ours and a missing frame, without calling the core', async () => {
    const handlers = fakeHandlers();
    const channels = registered(handlers);
    const call = channels.get(channelOf('listDatasets'))!;
    for (const senderFrame of [
      { url: 'https://evil.example/', parent: null },
      { url: 'file:///tmp/page.html', parent: null },
      { url: 'app://other/index.html', parent: null },
      { url: 'app://medbench/index.html', parent: topFrame },
      null,
      undefined,
    ]) {
      const answer = await call({ senderFrame }, {});
      expect(answer, JSON.stringify(senderFrame)).toMatchObject({ error: { kind: 'invalid-request' } });
    }
    expect(handlers.listDatasets).not.toHaveBeenCalled();
  });

  it('refuses an invalid payload with a message naming the field, without calling the core', async () => {
    const handlers = fakeHandlers();
    const channels = registered(handlers);
    const answer = (await channels.get(channelOf('chooseFile'))!({ senderFrame: topFrame }, { purpose: 'anything' })) as { error: { kind: string; message: string } };
    expect(answer.error.kind).toBe('invalid-request');
    expect(answer.error.message).toContain('purpose');
    await expect(channels.get(channelOf('listDatasets'))!({ senderFrame: topFrame }, { extra: 1 })).resolves.toMatchObject({ error: { kind: 'invalid-request' } });
    await expect(channels.get(channelOf('chooseFile'))!({ senderFrame: topFrame }, 'annotations')).resolves.toMatchObject({ error: { kind: 'invalid-request' } });
    expect(handlers.chooseFile).not.toHaveBeenCalled();
    expect(handlers.listDatasets).not.toHaveBeenCalled();
  });
});

describe('dispatchCall, as the IPC handlers use it', () => {
  it('treats a missing payload as an empty request', async () => {
    await expect(dispatchCall(fakeHandlers(), 'listDatasets', undefined)).resolves.toEqual({ dbPath: '/tmp/medbench.db', datasets: [] });
  });

  it('turns a thrown error into a failed CallError carrying only the message', async () => {
    const handlers = fakeHandlers();
    handlers.listDatasets = () => {
      throw new Error('database is locked');
    };
    const answer = await dispatchCall(handlers, 'listDatasets', {});
    expect(answer).toEqual({ error: { kind: 'failed', message: 'database is locked' } });
  });

  it("passes the core's own CallErrors through unchanged", async () => {
    const handlers = fakeHandlers();
    handlers.listDatasets = async () => ({ error: { kind: 'not-found', message: 'no dataset "x"' } });
    await expect(dispatchCall(handlers, 'listDatasets', {})).resolves.toEqual({ error: { kind: 'not-found', message: 'no dataset "x"' } });
  });

  it('reports a response outside the contract as a failure instead of passing it on', async () => {
    const handlers = fakeHandlers();
    handlers.listDatasets = async () => ({ dbPath: 42 }) as never;
    await expect(dispatchCall(handlers, 'listDatasets', {})).resolves.toMatchObject({ error: { kind: 'failed' } });
  });
});

describe('isTrustedSender', () => {
  it('requires a top-level frame on a trusted URL', () => {
    expect(isTrustedSender(topFrame, isAppUrl)).toBe(true);
    expect(isTrustedSender({ url: 'app://medbench/index.html', parent: topFrame as never }, isAppUrl)).toBe(false);
    expect(isTrustedSender({ url: 'https://example.org/', parent: null }, isAppUrl)).toBe(false);
    expect(isTrustedSender(null, isAppUrl)).toBe(false);
  });
});

describe('forwardEvents', () => {
  function setUp() {
    let listener: ((name: string, payload: unknown) => void) | null = null;
    const unsubscribe = vi.fn();
    const subscribe = (next: (name: string, payload: unknown) => void) => {
      listener = next;
      return unsubscribe;
    };
    const sent: [string, unknown][] = [];
    const target: EventTarget & { destroyed: boolean } = {
      destroyed: false,
      isDestroyed: () => target.destroyed,
      send: (channel, payload) => sent.push([channel, payload]),
    };
    const stop = forwardEvents(subscribe, () => [target]);
    return { emit: (name: string, payload: unknown) => listener!(name, payload), sent, target, stop, unsubscribe };
  }
  const finished = { run: 'r1', status: 'finished', predicted: 74, remaining: 0, seconds: 12.5, error: null };

  it('sends contract events to the window on their channel', () => {
    const { emit, sent } = setUp();
    emit('runFinished', finished);
    expect(sent).toEqual([[eventChannelOf('runFinished'), finished]]);
    expect(eventNames).toContain('runFinished');
  });

  it('drops unknown events and payloads outside the contract, and skips a destroyed window', () => {
    const { emit, sent, target } = setUp();
    emit('somethingElse', finished);
    emit('runFinished', { run: 'r1' });
    target.destroyed = true;
    emit('runFinished', finished);
    expect(sent).toEqual([]);
  });

  it('returns the unsubscribe function of the core', () => {
    const { stop, unsubscribe } = setUp();
    stop();
    expect(unsubscribe).toHaveBeenCalledTimes(1);
  });
});
