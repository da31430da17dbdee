/**
 * The core's error messages are written for the terminal ("continue it with --resume NAME"). The
 * UI gets the same facts without CLI flags or commands, plus a hint object it can turn into a
 * button; the CLI keeps printing the original wording.
 */
import type { ActionHint } from '../shared/contract';

interface Rule {
  pattern: RegExp;
  replace: string;
  hint?: (match: RegExpMatchArray) => ActionHint;
}

const RULES: Rule[] = [
  { pattern: /: continue it with --resume (\S+), or choose another --name/, replace: ': resume it, or choose another name', hint: (m) => ({ action: 'choose-other-name', run: m[1]! }) },
  { pattern: /; choose another --name( for the build)?/, replace: '; choose another name', hint: () => ({ action: 'choose-other-name' }) },
  { pattern: /; register the same file again \(medbench models add PATH\) to resume/, replace: '; register the same file again under Models to resume', hint: () => ({ action: 'register-model' }) },
  { pattern: / \(see medbench models list\)/, replace: ' (see the Models view)', hint: () => ({ action: 'register-model' }) },
  { pattern: /; register it again with medbench models add PATH/, replace: '; register it again under Models', hint: () => ({ action: 'register-model' }) },
  { pattern: /: run `medbench import` first/, replace: ': import one first', hint: () => ({ action: 'import-dataset' }) },
  { pattern: /; choose one with --dataset \(/, replace: '; choose one (' },
  { pattern: /; continue it with: medbench run --resume (\S+)/, replace: '; resume it', hint: (m) => ({ action: 'resume-run', run: m[1]! }) },
  { pattern: / \(medbench backup makes them\)/, replace: '' },
  { pattern: /: pass --notes/, replace: ': choose the notes file too' },
];

export function neutralError(message: string): { message: string; hint?: ActionHint } {
  let text = message;
  let hint: ActionHint | undefined;
  for (const rule of RULES) {
    const match = text.match(rule.pattern);
    if (!match) continue;
    text = text.replace(rule.pattern, rule.replace);
    hint ??= rule.hint?.(match);
  }
  // Anything left like "--context-size" becomes the setting's name in words ("context size"), as the run form labels it.
  text = text.replace(/(^|[\s(])--([a-z][a-z0-9-]*)/g, (_all, before: string, flag: string) => `${before}${flag.replaceAll('-', ' ')}`);
  return hint ? { message: text, hint } : { message: text };
}
