import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtInPromptTemplate, checkPromptTemplate, loadPromptTemplate, renderPrompt } from '../../../../src/core/engine/prompt';
import { presetTemplate, promptPresets } from '../../../../src/core/engine/prompts/presets';
import { checkPromptText, promptReferenceName, resolvePromptReference } from '../../../../src/core/engine/prompts/validate';

let dir: string;
const home = process.env.HOME;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-prompts-'));
});
afterEach(() => {
  process.env.HOME = home;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('prompt presets', () => {
  it('ships default, implicit-evidence and minimal, each a valid template', () => {
    expect(promptPresets().map((p) => p.name)).toEqual(['default', 'implicit-evidence', 'minimal']);
    for (const preset of promptPresets()) {
      expect(checkPromptText(preset.text), preset.name).toMatchObject({ ok: true, problems: [] });
      expect(() => checkPromptTemplate(preset.text)).not.toThrow();
    }
    expect(presetTemplate('default')).toEqual(builtInPromptTemplate());
    expect(presetTemplate('implicit-evidence').text).toMatch(/findings.*results.*treatments/s);
  });

  it('keeps the minimal preset to the task and the answer format', () => {
    const rendered = renderPrompt(presetTemplate('minimal').text, [{ id: 1, text: 'K 2.9, repleted.' }], { code: 'E87.6', desc: 'Hypokalemia' }, 'binary');
    const text = rendered.prefix + rendered.suffix;
    expect(text).toContain('[S1] K 2.9, repleted.');
    expect(text).toContain('E87.6 Hypokalemia');
    expect(text).not.toMatch(/clinical coder|implicit/i);
    expect(text.length).toBeLessThan(300);
  });

  it('resolves --prompt NAME to a stored preset reference that loadPromptTemplate reads back', () => {
    expect(resolvePromptReference('implicit-evidence')).toBe('preset:implicit-evidence');
    const template = loadPromptTemplate('preset:implicit-evidence');
    expect(template.version).toBe('preset:implicit-evidence');
    expect(template.hash).toBe(presetTemplate('implicit-evidence').hash);
    expect(promptReferenceName('preset:minimal')).toBe('minimal');
    expect(promptReferenceName(null)).toBe('default');
  });

  it('keeps --prompt FILE working, with ~ expanded', () => {
    process.env.HOME = dir;
    fs.writeFileSync(path.join(dir, 'mine.txt'), 'Note:\n{{note}}\nConcept {{code}} {{desc}}. JSON please.');
    expect(resolvePromptReference('~/mine.txt')).toBe(path.join(dir, 'mine.txt'));
    expect(promptReferenceName(path.join(dir, 'mine.txt'))).toBe('mine.txt');
  });

  it('names every unknown and missing placeholder at once', () => {
    const file = path.join(dir, 'bad.txt');
    fs.writeFileSync(file, '{{note}} {{concept}} {{ICD}}');
    expect(() => resolvePromptReference(file)).toThrow(/unknown placeholder \{\{concept\}\}.*unknown placeholder \{\{ICD\}\}.*\{\{code\}\} is missing.*\{\{desc\}\} is missing/);
    const check = checkPromptText('{{code}} {{desc}} {{note}} {{note}}');
    expect(check.ok).toBe(false);
    expect(check.problems.map((p) => [p.kind, p.placeholder])).toEqual([
      ['duplicate-placeholder', 'note'],
      ['order', 'code'],
      ['order', 'desc'],
    ]);
  });

  it('refuses a word that is neither a preset nor a file, listing the presets', () => {
    expect(() => resolvePromptReference('implicit')).toThrow(/no prompt preset or file named "implicit" \(presets: default, implicit-evidence, minimal/);
  });
});
