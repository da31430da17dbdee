/**
 * Named prompt presets. `--prompt NAME` picks one; a run records it in its settings as "preset:NAME"
 * (resolved by loadPromptTemplate in ../prompt.ts) and its text's hash in the manifest, so a resumed
 * run uses the identical text and two runs that differ only in their prompt can be found and compared.
 *
 * The presets are built lazily: prompt.ts imports this module and this module imports prompt.ts's
 * built-in template, so nothing here may read prompt.ts while the modules are still loading.
 */
import { MAX_EVIDENCE_ITEMS } from '../answer-schema';
import { BUILT_IN_PROMPT_TEMPLATE, PROMPT_VERSION, promptHash, type PromptTemplate } from '../prompt';
import { UserError } from '../../errors';

export const PRESET_PREFIX = 'preset:';

export interface PromptPreset {
  name: string;
  label: string;
  description: string;
  text: string;
}

/**
 * The benchmark's authors report that asking for implicit evidence (findings, results and treatments
 * that imply a concept without naming it) improves results; this preset spells that out.
 */
const IMPLICIT_EVIDENCE = `You are a careful clinical coder. You read a hospital discharge note and decide whether it documents a given diagnosis or procedure concept (an ICD-10-CM or ICD-10-PCS code) for this admission.

A note documents a concept explicitly when it names it, and implicitly when it never names it but records what implies it: examination findings, laboratory or imaging results, medications and other treatments, procedures performed, or the course of the illness. Look for both. For example, a note that never says "hypokalemia" but reports a low potassium that was repleted documents hypokalemia; a note listing insulin glargine among discharge medications documents long-term insulin use. Do not count a concept that is only suspected, ruled out, or part of the family history.

Answer with one label: {{labels}}.
Cite the ids of the sentences that state or imply the concept, like "S3" (at most ${MAX_EVIDENCE_ITEMS}; none if nothing supports it), and give a one-sentence rationale naming the finding, result or treatment you relied on.
Reply with JSON only, exactly in this form: {"label": "...", "evidence": ["S1"], "rationale": "..."}

Discharge note, one numbered sentence per line:
{{note}}

Concept: {{code}} {{desc}}
Does the note document this concept, explicitly or implicitly? Reply with the JSON object only.`;

/** Nothing but the task and the answer format: the floor for prompt experiments. */
const MINIMAL = `{{note}}

Does the note above document {{code}} {{desc}}? Answer {{labels}}.
Reply with JSON only: {"label": "...", "evidence": ["S1"], "rationale": "..."}`;

let presets: readonly PromptPreset[] | null = null;

export function promptPresets(): readonly PromptPreset[] {
  presets ??= [
    { name: 'default', label: 'Default', description: 'The built-in prompt: label, cited sentences and a one-sentence rationale.', text: BUILT_IN_PROMPT_TEMPLATE },
    {
      name: 'implicit-evidence',
      label: 'Implicit evidence',
      description: 'Asks explicitly for findings, results and treatments that imply the concept without naming it.',
      text: IMPLICIT_EVIDENCE,
    },
    { name: 'minimal', label: 'Minimal', description: 'Only the task and the answer format.', text: MINIMAL },
  ];
  return presets;
}

export function findPreset(name: string): PromptPreset | null {
  return promptPresets().find((preset) => preset.name === name) ?? null;
}

/** The template of a preset; the default keeps PROMPT_VERSION so its runs match runs made before presets. */
export function presetTemplate(name: string): PromptTemplate {
  const preset = findPreset(name);
  if (!preset) throw new UserError(`no prompt preset named "${name}" (presets: ${promptPresets().map((p) => p.name).join(', ')})`);
  return { version: preset.name === 'default' ? PROMPT_VERSION : `${PRESET_PREFIX}${preset.name}`, text: preset.text, hash: promptHash(preset.text) };
}
