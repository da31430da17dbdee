/**
 * Text from files and models shown to people: in the UI, in reports and in the terminal. Shared by the renderer,
 * core and the CLI (no imports).
 *
 * Bidi controls (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates, U+200E/U+200F marks) reorder what
 * is displayed: "<RLO>gnp.exe" reads "exe.png". neutraliseBidi replaces each with U+FFFD, one UTF-16 unit for one,
 * so offsets into a note (evidence spans, sentences) still point at the same characters.
 */
const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export const BIDI_REPLACEMENT = '\ufffd';

export function neutraliseBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, BIDI_REPLACEMENT);
}

export function hasBidiControls(text: string): boolean {
  BIDI_CONTROLS.lastIndex = 0;
  const found = BIDI_CONTROLS.test(text);
  BIDI_CONTROLS.lastIndex = 0;
  return found;
}

// C0 controls, DEL and C1 controls (ESC starts ANSI sequences; C1 0x9b is a one-byte CSI on some terminals).
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * A cell or message made safe for a terminal: every control character is shown as \xHH (so an ANSI escape sequence
 * in a CSV cell prints as text and cannot recolour, retitle or rewrite the screen), tabs and line breaks become
 * spaces (or stay, for messages with keepNewlines), and bidi controls are neutralised.
 */
export function terminalSafe(text: string, options: { keepNewlines?: boolean } = {}): string {
  return neutraliseBidi(text).replace(CONTROLS, (control) => {
    if (control === '\n') return options.keepNewlines ? '\n' : ' ';
    if (control === '\t' || control === '\r') return ' ';
    return `\\x${control.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
