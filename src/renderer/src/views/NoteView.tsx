import { memo, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { buildNoteBlocks, highlightedSentences, type Evidence, type NoteEvidence } from '../lib/highlight';

const EVIDENCE_TITLES: Record<Evidence, string> = {
  gold: 'gold evidence',
  pred: 'predicted evidence',
  both: 'gold and predicted evidence',
};

/**
 * The note with numbered sentences and both kinds of evidence. Sentence numbers come from CSS
 * (data-sentence), so they are neither in the DOM text nor in a copy of it.
 */
export const NoteView = memo(function NoteView({ focusKey, ...evidence }: NoteEvidence & { focusKey?: string }) {
  const { text, sentences, goldSpans, goldSentences, predictedSentences } = evidence;
  const props = useMemo(() => ({ text, sentences, goldSpans, goldSentences, predictedSentences }), [text, sentences, goldSpans, goldSentences, predictedSentences]);
  const started = useRef(0);
  started.current = performance.now();
  const blocks = useMemo(() => buildNoteBlocks(props), [props]);
  const jumps = useMemo(() => highlightedSentences(blocks), [blocks]);
  const noteRef = useRef<HTMLDivElement>(null);

  // User Timing entry: render to commit of the note, visible in DevTools and read by the UI bench.
  useLayoutEffect(() => {
    performance.measure('medbench:note-render', { start: started.current, end: performance.now() });
  }, [blocks]);

  const jumpTo = (id: number, flashOthers: number[] = []) => {
    const container = noteRef.current;
    const element = container?.querySelector<HTMLElement>(`[data-sentence="${id}"]`);
    if (!container || !element) return;
    // Scroll the note pane only (scrollIntoView would also move the page and hide the header).
    container.scrollTop = Math.max(0, element.offsetTop - container.clientHeight / 3);
    for (const target of [element, ...flashOthers.map((other) => container.querySelector<HTMLElement>(`[data-sentence="${other}"]`))]) {
      if (!target) continue;
      target.classList.remove('flash');
      void target.offsetWidth; // restart the animation when jumping to the same sentence twice
      target.classList.add('flash');
    }
  };

  // Opening a pair (or switching the highlighted run) brings the first gold evidence into view and
  // flashes it with the first predicted evidence; without gold evidence, the first predicted one.
  useEffect(() => {
    const firstGold = jumps.find((j) => j.evidence !== 'pred');
    const firstPred = jumps.find((j) => j.evidence !== 'gold');
    const target = firstGold ?? firstPred;
    if (!target) {
      if (noteRef.current) noteRef.current.scrollTop = 0;
      return;
    }
    jumpTo(target.id, firstPred && firstPred.id !== target.id ? [firstPred.id] : []);
    // Only when the pair or the run changes (focusKey), not when the same note re-renders.
  }, [focusKey]);

  return (
    <div className="note-view">
      <div className="note-toolbar">
        <span className="legend">
          <mark data-evidence="gold">gold</mark> <mark data-evidence="pred">predicted</mark> <mark data-evidence="both">both</mark>
        </span>
        <span className="jumps" role="group" aria-label="Jump to a highlighted sentence">
          {jumps.length === 0 ? (
            <span className="muted">No evidence sentence to jump to.</span>
          ) : (
            jumps.map((jump) => (
              <button key={jump.id} className={`jump jump-${jump.evidence}`} onClick={() => jumpTo(jump.id)} title={`S${jump.id}: ${EVIDENCE_TITLES[jump.evidence]}`}>
                S{jump.id}
              </button>
            ))
          )}
        </span>
      </div>
      <div className="note-text" ref={noteRef} data-testid="note-text" tabIndex={0} role="region" aria-label="Note text">
        {blocks.map((block, i) =>
          block.kind === 'gap' ? (
            <span key={`g${i}`}>{renderPieces(block.pieces)}</span>
          ) : (
            <span
              key={block.id}
              className={`sentence${block.gold ? ' sentence-gold' : ''}${block.pred ? ' sentence-pred' : ''}`}
              data-sentence={block.id}
              id={`sentence-${block.id}`}
            >
              {renderPieces(block.pieces)}
            </span>
          ),
        )}
      </div>
    </div>
  );
});

function renderPieces(pieces: readonly { text: string; evidence: Evidence | null }[]) {
  return pieces.map((piece, i) =>
    piece.evidence ? (
      <mark key={i} data-evidence={piece.evidence} title={EVIDENCE_TITLES[piece.evidence]}>
        {piece.text}
      </mark>
    ) : (
      piece.text
    ),
  );
}
