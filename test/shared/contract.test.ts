import { describe, expect, it } from 'vitest';
import { callNames, channelOf, dispatchCall, eventChannelOf, eventNames, failure, isCallError, type CallHandlers } from '../../src/shared/contract';

describe('the UI contract', () => {
  it('names a channel per call and per event under one prefix', () => {
    expect(channelOf('getPair')).toBe('medbench:getPair');
    expect(eventChannelOf('runProgress')).toBe('medbench:event:runProgress');
    expect(callNames).toContain('chooseFile');
    expect(eventNames).toEqual(['runProgress', 'runFinished', 'coreCrashed']);
  });

  const handlers = {
    getPair: ({ pairId }: { pairId: number }) => (pairId === 1 ? { wrong: 'shape' } : failure('not-found', `no pair ${pairId}`)),
    cancelRun: () => {
      throw new Error('disk full');
    },
    chooseFile: () => ({ path: null }),
  } as unknown as CallHandlers;

  it('refuses a request of the wrong shape before any handler runs', async () => {
    const result = await dispatchCall(handlers, 'getPair', { pairId: 'one' });
    expect(isCallError(result) && result.error.kind).toBe('invalid-request');
    expect(JSON.stringify(result)).toContain('pairId');
  });

  it('passes an expected failure through, and turns a throw into a failed CallError without a stack', async () => {
    expect(await dispatchCall(handlers, 'getPair', { pairId: 2 })).toEqual({ error: { kind: 'not-found', message: 'no pair 2' } });
    expect(await dispatchCall(handlers, 'cancelRun', { name: 'x' })).toEqual({ error: { kind: 'failed', message: 'disk full' } });
  });

  it('refuses a response that breaks the contract', async () => {
    const result = await dispatchCall(handlers, 'getPair', { pairId: 1 });
    expect(isCallError(result) && result.error.kind).toBe('failed');
  });

  it('returns a valid response as is', async () => {
    expect(await dispatchCall(handlers, 'chooseFile', { purpose: 'model' })).toEqual({ path: null });
  });
});
