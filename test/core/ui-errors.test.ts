import { describe, expect, it } from 'vitest';
import { neutralError } from '../../src/core/ui-errors';

describe('neutralError', () => {
  it('rewrites the core terminal wording for the UI and adds a hint', () => {
    expect(neutralError(`a run named "q" already exists: continue it with --resume 'q', or choose another --name`)).toEqual({
      message: 'a run named "q" already exists: resume it, or choose another name',
      hint: { action: 'choose-other-name', run: "'q'" },
    });
    expect(neutralError('"x" is neither a GGUF file nor a registered model (see medbench models list)')).toEqual({
      message: '"x" is neither a GGUF file nor a registered model (see the Models view)',
      hint: { action: 'register-model' },
    });
    expect(neutralError('no dataset in this database yet: run `medbench import` first')).toMatchObject({ message: 'no dataset in this database yet: import one first', hint: { action: 'import-dataset' } });
  });

  it('turns any flag left into words and leaves plain messages alone', () => {
    expect(neutralError('the note needs 9000 tokens; use a larger --context-size or a smaller --max-tokens').message).toBe(
      'the note needs 9000 tokens; use a larger context size or a smaller max tokens',
    );
    expect(neutralError('there is no file at /x.csv')).toEqual({ message: 'there is no file at /x.csv' });
  });
});
