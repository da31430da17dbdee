import { memo, useLayoutEffect, useMemo, useRef } from 'react';
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
export const NoteView = memo(function NoteView(props: NoteEvidence) {
  const started = useRef(0);
  started.current = performance.now();
  const blocks = useMemo(() => buildNoteBlocks(props), [props]);
  const jumps = useMemo(() => highlightedSentences(blocks), [blocks]);
  const noteRef = useRef<HTMLDivElement>(null);

  // User Timing entry: render to commit of the note, visible in DevTools and read by the UI bench.
  useLayoutEffect(() => {
    performance.measure('medbench:note-render', { start: started.current, end: performance.now() });
  }, [blocks]);

  const jumpTo = (id: number) => {
    const element = noteRef.current?.querySelector<HTMLElement>(`[data-sentence="${id}"]`);
    if (!element) return;
    element.scrollIntoView({ block: 'center' });
    element.classList.remove('flash');
    void element.offsetWidth; // restart the animation when jumping to the same sentence twice
    element.classList.add('flash');
  };

  return (
    <div className="note-view">
      <div className="note-toolbar">
        <span className="legend">
          <mark data-evidence="gold">gold</mark> <mark data-evidence="pred">predicted</mark> <mark data-evidence="both">both</mark>
        </span>
        <span className="jumps" aria-label="Jump to a highlighted sentence">
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
      <div className="note-text" ref={noteRef} data-testid="note-text">
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
