import { describe, expect, it, vi } from 'vitest';
import { createQuitGuard, type QuitGuardDeps } from '../../src/main/quit';
import { preventableEvent } from './electron-double';

const settle = () => new Promise((resolve) => setImmediate(resolve));

function setUp(overrides: Partial<QuitGuardDeps> = {}) {
  const order: string[] = [];
  const deps: QuitGuardDeps = {
    activeRun: () => null,
    confirmStop: vi.fn(async () => true),
    shutdown: vi.fn(async () => void order.push('shutdown')),
    quit: vi.fn(() => void order.push('quit')),
    ...overrides,
  };
  return { guard: createQuitGuard(deps), deps, order };
}

describe('createQuitGuard', () => {
  it('without a run: holds the quit, shuts down, then quits; the next request goes through', async () => {
    const { guard, deps, order } = setUp();
    const first = preventableEvent();
    guard.onQuitRequested(first);
    expect(first.defaultPrevented).toBe(true);
    expect(guard.finished()).toBe(false);
    await settle();
    expect(deps.confirmStop).not.toHaveBeenCalled();
    expect(order).toEqual(['shutdown', 'quit']);
    expect(guard.finished()).toBe(true);
    const second = preventableEvent();
    guard.onQuitRequested(second);
    expect(second.defaultPrevented).toBe(false);
  });

  it('during a run: asks, and on "keep running" neither shuts down nor quits, and asks again next time', async () => {
    const { guard, deps } = setUp({ activeRun: () => 'r1', confirmStop: vi.fn(async () => false) });
    guard.onQuitRequested(preventableEvent());
    await settle();
    expect(deps.confirmStop).toHaveBeenCalledWith('r1');
    expect(deps.shutdown).not.toHaveBeenCalled();
    expect(deps.quit).not.toHaveBeenCalled();
    const again = preventableEvent();
    guard.onQuitRequested(again);
    expect(again.defaultPrevented).toBe(true);
    await settle();
    expect(deps.confirmStop).toHaveBeenCalledTimes(2);
  });

  it('during a run: on "stop", shuts down (which stops the run) before quitting', async () => {
    const { guard, deps, order } = setUp({ activeRun: () => 'r1' });
    guard.onQuitRequested(preventableEvent());
    await settle();
    expect(deps.confirmStop).toHaveBeenCalledTimes(1);
    expect(order).toEqual(['shutdown', 'quit']);
  });

  it('holds repeated requests while shutting down, without a second shutdown', async () => {
    let finish = () => {};
    const shutdown = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const { guard, deps } = setUp({ shutdown });
    guard.onQuitRequested(preventableEvent());
    await settle();
    const during = preventableEvent();
    guard.onQuitRequested(during);
    expect(during.defaultPrevented).toBe(true);
    finish();
    await settle();
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(deps.quit).toHaveBeenCalledTimes(1);
  });

  it('keeps the app open when the question cannot be asked, and still quits when shutdown fails', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const unasked = setUp({ activeRun: () => 'r1', confirmStop: async () => Promise.reject(new Error('no display')) });
    unasked.guard.onQuitRequested(preventableEvent());
    await settle();
    expect(unasked.deps.quit).not.toHaveBeenCalled();
    expect(unasked.guard.finished()).toBe(false);

    const failing = setUp({ shutdown: async () => Promise.reject(new Error('disk gone')) });
    failing.guard.onQuitRequested(preventableEvent());
    await settle();
    expect(failing.deps.quit).toHaveBeenCalledTimes(1);
    quiet.mockRestore();
  });
});
