import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { abortWaiterCount, whenAborted } from '../../../../../src/core/engine/backends/openai/abort';

describe('waiting on the run’s stop signal', () => {
  it('puts one listener on the signal however many wait, and calls each waiter still watching once', () => {
    const controller = new AbortController();
    const called: number[] = [];
    const stops = Array.from({ length: 100 }, (_, i) => whenAborted(controller.signal, () => called.push(i)));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    expect(abortWaiterCount(controller.signal)).toBe(100);
    // Finished requests stop watching and leave nothing behind.
    for (const stop of stops.slice(0, 60)) stop();
    expect(abortWaiterCount(controller.signal)).toBe(40);
    controller.abort();
    expect(called).toEqual(Array.from({ length: 40 }, (_, i) => 60 + i));
    controller.abort();
    expect(called).toHaveLength(40);
    expect(abortWaiterCount(controller.signal)).toBe(0);
  });

  it('lets a waiter stop another during the abort, and keeps signals apart', () => {
    const a = new AbortController();
    const b = new AbortController();
    const called: string[] = [];
    let stopSecond = () => {};
    whenAborted(a.signal, () => {
      called.push('first');
      stopSecond();
    });
    stopSecond = whenAborted(a.signal, () => called.push('second'));
    whenAborted(b.signal, () => called.push('other signal'));
    a.abort();
    expect(called).toEqual(['first']);
    expect(abortWaiterCount(b.signal)).toBe(1);
  });
});
