import { useEffect, useRef, useState } from 'react';
import type { CallRequest } from '../../../shared/contract';
import { ApiError, call, useApi } from '../api';

type Purpose = CallRequest<'chooseFile'>['purpose'];

/**
 * A path on this machine: typed (a browser tab has no file dialog; `~` is the home folder of the
 * user running the app) or chosen in the desktop app's native dialog, and checked by the core
 * as it is typed, with the core's message under the field.
 */
export function PathField({
  label,
  name,
  value,
  onChange,
  mode,
  purpose,
  placeholder,
  onCheck,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  /** read-file: an existing file; write-file: a new file in an existing, writable folder. */
  mode: 'read-file' | 'write-file';
  /** For the native dialog (read-file only). */
  purpose?: Purpose;
  placeholder: string;
  onCheck?: (ok: boolean | null) => void;
}) {
  const api = useApi();
  // Only the desktop app (its preload bridge) has a native dialog; a browser tab gets the typed path alone.
  const [dialog, setDialog] = useState<boolean>(mode === 'read-file' && purpose !== undefined && typeof window.medbench !== 'undefined');
  const [check, setCheck] = useState<{ ok: boolean; message: string | null; path: string } | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);
  // The parent's callback may change every render; the check depends on the text and the mode only.
  const report = useRef(onCheck);
  report.current = onCheck;

  useEffect(() => {
    const typed = value.trim();
    setCheck(null);
    setCheckError(null);
    report.current?.(typed ? null : false);
    if (!typed) return;
    let current = true;
    const timer = setTimeout(() => {
      call(api, 'checkPath', { path: typed, purpose: mode }).then(
        (result) => {
          if (!current) return;
          setCheck(result);
          report.current?.(result.ok);
        },
        (error: Error) => {
          if (!current) return;
          setCheckError(error.message);
          report.current?.(null);
        },
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, value, mode]);

  const choose = async () => {
    if (!purpose) return;
    try {
      const result = await call(api, 'chooseFile', { purpose });
      if (result.path) onChange(result.path);
    } catch (e) {
      if (e instanceof ApiError && e.kind === 'unavailable') setDialog(false);
      else setCheckError((e as Error).message);
    }
  };

  const messageId = `${name}-check`;
  return (
    <label className="field path-field">
      <span>{label}</span>
      <span className="file-field">
        <input
          name={name}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={messageId}
          aria-invalid={check ? !check.ok : undefined}
        />
        {dialog && (
          <button type="button" onClick={() => void choose()}>
            Choose…
          </button>
        )}
      </span>
      <span id={messageId} className={`path-check small ${check && !check.ok ? 'error' : 'muted'}`} data-testid={`${name}-check`} aria-live="polite">
        {checkError
          ? checkError
          : check
            ? check.ok
              ? `✓ ${check.path}${check.message ? ` (${check.message})` : ''}`
              : (check.message ?? 'This path cannot be used.')
            : !dialog
              ? 'A path on this machine (~ is your home folder).'
              : ''}
      </span>
    </label>
  );
}
