import { useState } from 'react';
import { call, useApi } from '../api';
import { ErrorBox } from '../components';
import { PathField } from '../components/PathField';
import { useCall, useFormAction } from '../hooks';
import { bytes } from '../lib/format';

/** Files from one run, as the CLI's export and report write them: the submission ZIP and a report. */
export function RunFiles({ run }: { run: string }) {
  return (
    <div className="run-files">
      <SubmissionForm run={run} />
      <ReportForm run={run} />
    </div>
  );
}

function SubmissionForm({ run }: { run: string }) {
  const api = useApi();
  const [path, setPath] = useState(`~/${run}-submission.zip`);
  const { busy, error, result: done, submit } = useFormAction(() => call(api, 'exportSubmission', { run, path: path.trim() }));
  return (
    <form className="form" onSubmit={submit} aria-label={`Export the submission of ${run}`}>
      <h3>Submission (ZIP with the benchmark&apos;s CSV)</h3>
      <PathField label="Write to" name="submission-path" value={path} onChange={setPath} mode="write-file" placeholder="~/submission.zip" />
      <div className="actions">
        <button className="primary" type="submit" disabled={busy || !path.trim()}>
          {busy ? 'Writing…' : 'Export submission'}
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {done && (
        <p className="success" role="status" data-testid="submission-written">
          Wrote {done.path} ({bytes(done.bytes)}, {done.rows} rows{done.missing + done.invalid > 0 ? `; ${done.missing} missing and ${done.invalid} invalid answers written as False` : ''}). {done.warning}
        </p>
      )}
    </form>
  );
}

function ReportForm({ run }: { run: string }) {
  const api = useApi();
  const listed = useCall('listRuns', {});
  const runs = (listed.data?.runs ?? []).map((r) => r.name).filter((name) => name !== run);
  const [format, setFormat] = useState<'html' | 'md' | 'json'>('html');
  const [path, setPath] = useState(`~/${run}-report.html`);
  const [compare, setCompare] = useState('');
  const [includeText, setIncludeText] = useState(false);
  const { busy, error, result: done, submit } = useFormAction(() =>
    call(api, 'writeReport', { run, path: path.trim(), format, ...(compare ? { compare } : {}), ...(includeText ? { includeText: true } : {}) }),
  );
  const changeFormat = (next: 'html' | 'md' | 'json') => {
    setFormat(next);
    setPath((current) => current.replace(/\.(html|md|json)$/i, `.${next}`));
  };
  return (
    <form className="form" onSubmit={submit} aria-label={`Write a report of ${run}`}>
      <h3>Report</h3>
      <div className="form-grid">
        <label className="field">
          <span>Format</span>
          <select name="report-format" value={format} onChange={(e) => changeFormat(e.target.value as 'html' | 'md' | 'json')}>
            <option value="html">HTML (standalone, with charts)</option>
            <option value="md">Markdown</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <label className="field">
          <span>Compare with (optional)</span>
          <select name="report-compare" value={compare} onChange={(e) => setCompare(e.target.value)}>
            <option value="">no comparison</option>
            {runs.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
      </div>
      <PathField label="Write to" name="report-path" value={path} onChange={setPath} mode="write-file" placeholder="~/report.html" />
      <label className="check-line">
        <input type="checkbox" name="include-text" checked={includeText} onChange={(e) => setIncludeText(e.target.checked)} /> include rationales and evidence text (note-derived: keep the file under the Data Use Agreement)
      </label>
      <div className="actions">
        <button className="primary" type="submit" disabled={busy || !path.trim()}>
          {busy ? 'Writing…' : 'Write report'}
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {done && (
        <p className="success" role="status" data-testid="report-written">
          Wrote {done.path} ({done.format}, {bytes(done.bytes)}){done.includesText ? ', with note-derived text' : ', without note text'}.
        </p>
      )}
    </form>
  );
}
