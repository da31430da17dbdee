import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_PROMPT_TEMPLATE,
  builtInPromptTemplate,
  checkPromptTemplate,
  loadPromptTemplate,
  promptHash,
  PROMPT_VERSION,
  PromptTemplateError,
  renderNote,
  renderPrompt,
} from '../../../src/core/engine/prompt';
import {
  answerSchema,
  MAX_RATIONALE_LENGTH,
  parseAnswer,
  schemaHash,
} from '../../../src/core/engine/answer-schema';

const sentences = [
  { id: 1, text: 'Patient admitted with chest pain.' },
  { id: 2, text: 'History of type 2 diabetes\nmellitus,   on metformin.' },
  { id: 3, text: 'Discharged home in stable condition.' },
];
const concept = { code: 'E11.9', desc: 'Type 2 diabetes mellitus without complications' };

function withTempFile(contents: string, run: (file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prompt-'));
  try {
    const file = path.join(dir, 'my-prompt.txt');
    fs.writeFileSync(file, contents);
    run(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('renderNote', () => {
  it('numbers one sentence per line and collapses inner line breaks', () => {
    expect(renderNote(sentences)).toBe(
      '[S1] Patient admitted with chest pain.\n[S2] History of type 2 diabetes mellitus,   on metformin.\n[S3] Discharged home in stable condition.',
    );
  });

  it('keeps the sentence ids it is given (windows show a subset)', () => {
    expect(renderNote([{ id: 12, text: 'x' }, { id: 13, text: 'y\r\n z' }])).toBe('[S12] x\n[S13] y z');
  });
});

describe('renderPrompt', () => {
  it('splits the built-in prompt after the note so the prefix is the same for every concept', () => {
    const first = renderPrompt(BUILT_IN_PROMPT_TEMPLATE, sentences, concept, 'binary');
    const second = renderPrompt(BUILT_IN_PROMPT_TEMPLATE, sentences, { code: 'I10', desc: 'Essential hypertension' }, 'binary');
    expect(first.prefix).toBe(second.prefix);
    expect(first.prefix).toContain('[S3] Discharged home in stable condition.');
    expect(first.prefix).not.toContain('E11.9');
    expect(first.suffix).toMatch(/^Concept: E11\.9 Type 2 diabetes mellitus without complications/);
    expect(second.suffix).toContain('I10 Essential hypertension');
    expect(first.suffix).not.toMatch(/^\s/);
  });

  it('states the allowed labels for each mode', () => {
    const binary = renderPrompt(BUILT_IN_PROMPT_TEMPLATE, sentences, concept, 'binary');
    expect(binary.prefix).toContain('"True"');
    expect(binary.prefix).not.toContain('"Implicit"');
    const threeWay = renderPrompt(BUILT_IN_PROMPT_TEMPLATE, sentences, concept, '3way');
    for (const word of ['"Explicit"', '"Implicit"', '"Unrelated"']) expect(threeWay.prefix).toContain(word);
  });

  it('never substitutes placeholders that appear inside the note or the concept', () => {
    const sneaky = [{ id: 1, text: 'Text with {{code}} and {{note}} inside.' }];
    const rendered = renderPrompt('A {{note}} B {{code}} C {{desc}}', sneaky, { code: '{{desc}}', desc: 'D' }, 'binary');
    expect(rendered.prefix).toBe('A [S1] Text with {{code}} and {{note}} inside. ');
    expect(rendered.suffix).toBe('B {{desc}} C D');
  });
});

describe('prompt templates', () => {
  it('has a versioned built-in template with a stable hash', () => {
    const template = builtInPromptTemplate();
    expect(template.version).toBe(PROMPT_VERSION);
    expect(template.hash).toBe(promptHash(BUILT_IN_PROMPT_TEMPLATE));
    expect(template.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(promptHash('a')).not.toBe(promptHash('b'));
    expect(() => checkPromptTemplate(BUILT_IN_PROMPT_TEMPLATE)).not.toThrow();
  });

  it('loads a valid user template with its own version and hash', () => {
    withTempFile('Note:\n{{note}}\nCode {{code}} ({{desc}}). Labels: {{labels}}', (file) => {
      const template = loadPromptTemplate(file);
      expect(template.version).toBe('custom:my-prompt.txt');
      expect(template.hash).toBe(promptHash(template.text));
    });
  });

  it.each([
    ['a concept before the note', '{{code}} {{desc}} {{note}}', /\{\{code\}\} appears before \{\{note\}\}/],
    ['no note', '{{code}} {{desc}}', /\{\{note\}\} must appear exactly once \(found 0\)/],
    ['two notes', '{{note}} {{note}} {{code}} {{desc}}', /exactly once \(found 2\)/],
    ['no description', '{{note}} {{code}}', /\{\{desc\}\} is missing/],
    ['an unknown placeholder', '{{note}} {{code}} {{desc}} {{icd}}', /unknown placeholder \{\{icd\}\}/],
  ])('rejects a template with %s, naming the file', (_, text, message) => {
    withTempFile(text, (file) => {
      expect(() => loadPromptTemplate(file)).toThrow(PromptTemplateError);
      expect(() => loadPromptTemplate(file)).toThrow(message);
      expect(() => loadPromptTemplate(file)).toThrow(file);
    });
  });

  it('explains a missing template file', () => {
    expect(() => loadPromptTemplate('/nonexistent/prompt.txt')).toThrow(/cannot read prompt template \/nonexistent\/prompt\.txt/);
  });
});

describe('answerSchema', () => {
  it('lists the labels and sentence ids and caps the evidence', () => {
    const schema = answerSchema([1, 2, 3], '3way');
    expect(schema.properties.label.enum).toEqual(['Explicit', 'Implicit', 'Unrelated']);
    expect(schema.properties.evidence.items.enum).toEqual(['S1', 'S2', 'S3']);
    expect(schema.properties.evidence.maxItems).toBe(3);
    expect(answerSchema(Array.from({ length: 40 }, (_, index) => index + 1), 'binary').properties.evidence.maxItems).toBe(8);
    expect(schema.properties.rationale.maxLength).toBe(MAX_RATIONALE_LENGTH);
    expect(schema.required).toEqual(['label', 'evidence', 'rationale']);
  });

  it('hashes equal schemas equally and different ones differently', () => {
    expect(schemaHash(answerSchema([1, 2], 'binary'))).toBe(schemaHash(answerSchema([1, 2], 'binary')));
    expect(schemaHash(answerSchema([1, 2], 'binary'))).not.toBe(schemaHash(answerSchema([1, 2], '3way')));
    expect(schemaHash(answerSchema([1, 2], 'binary'))).not.toBe(schemaHash(answerSchema([1, 3], 'binary')));
  });
});

describe('parseAnswer', () => {
  const ids = [1, 2, 3, 12];

  it('maps labels and sorts and dedupes evidence', () => {
    const result = parseAnswer('{"label": "True", "evidence": ["S12", "S2", "S12"], "rationale": "Metformin."}', ids, 'binary');
    expect(result).toEqual({ ok: true, answer: { rawLabel: 'True', label: true, evidence: [2, 12], rationale: 'Metformin.' } });
    expect(parseAnswer('{"label":"False","evidence":[],"rationale":""}', ids, 'binary')).toMatchObject({ ok: true, answer: { label: false } });
  });

  it.each([
    ['Explicit', true],
    ['Implicit', true],
    ['Unrelated', false],
  ])('maps the 3-way label %s to %s', (word, label) => {
    expect(parseAnswer(`{"label":"${word}","evidence":["S1"],"rationale":"r"}`, ids, '3way')).toMatchObject({ ok: true, answer: { rawLabel: word, label } });
  });

  it.each([
    ['not JSON', '{"label": "True"', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
    ['a label of the other mode', '{"label":"Implicit","evidence":[],"rationale":""}', /label must be one of True, False; got "Implicit"/],
    ['a missing label', '{"evidence":[],"rationale":""}', /label must be one of/],
    ['an unknown sentence', '{"label":"True","evidence":["S4"],"rationale":""}', /cites S4, which is not a sentence/],
    ['a malformed id', '{"label":"True","evidence":["S01"],"rationale":""}', /not a sentence id/],
    ['a number as evidence', '{"label":"True","evidence":[1],"rationale":""}', /not a sentence id/],
    ['evidence that is not an array', '{"label":"True","evidence":"S1","rationale":""}', /evidence must be an array/],
    ['too much evidence', '{"label":"True","evidence":["S1","S2","S3","S12","S1"],"rationale":""}', /at most 4 are allowed/],
    ['a missing rationale', '{"label":"True","evidence":[]}', /rationale must be a string/],
    ['an extra field', '{"label":"True","evidence":[],"rationale":"","score":1}', /unexpected field\(s\): score/],
  ])('rejects %s', (_, text, message) => {
    const result = parseAnswer(text, ids, 'binary');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it('counts the rationale in code points', () => {
    const emoji = '😀'.repeat(MAX_RATIONALE_LENGTH);
    expect(parseAnswer(JSON.stringify({ label: 'True', evidence: [], rationale: emoji }), ids, 'binary').ok).toBe(true);
    const tooLong = parseAnswer(JSON.stringify({ label: 'True', evidence: [], rationale: `${emoji}x` }), ids, 'binary');
    expect(tooLong).toEqual({ ok: false, error: `rationale has ${MAX_RATIONALE_LENGTH + 1} characters; at most ${MAX_RATIONALE_LENGTH} are allowed` });
  });
});
