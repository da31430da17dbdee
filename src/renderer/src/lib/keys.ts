import { useEffect, useRef } from 'react';

/** True when a key press belongs to a text field or a control, not to the view's shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

/**
 * Single-key shortcuts of a view, listened to on the whole document so they work as soon as the
 * view shows (no tabbing into a widget first). Keys typed into fields, and chords with Ctrl, Alt
 * or Meta, are left alone. The handler returns true when it used the key.
 */
export function useKeys(handler: (key: string, event: KeyboardEvent) => boolean): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
      if (isTyping(event.target) && event.key !== 'Escape') return;
      if (latest.current(event.key, event)) event.preventDefault();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}
