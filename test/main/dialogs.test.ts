import { describe, expect, it } from 'vitest';
import { confirmStopRun, createChooseFile, openDialogOptionsFor, stopRunQuestion } from '../../src/main/dialogs';
import { contract } from '../../src/shared/contract';

const purposes = contract.chooseFile.request.shape.purpose.options;

describe('openDialogOptionsFor', () => {
  it('has a title and filters for every purpose in the contract, and opens a single file', () => {
    for (const purpose of purposes) {
      const options = openDialogOptionsFor(purpose);
      expect(options.title.length, purpose).toBeGreaterThan(0);
      expect(options.properties).toEqual(['openFile']);
      expect(options.filters.at(-1)).toEqual({ name: 'All files', extensions: ['*'] });
    }
  });

  it('offers csv and gz for the benchmark files and gguf for models', () => {
    expect(openDialogOptionsFor('annotations').filters[0].extensions).toEqual(['csv', 'gz']);
    expect(openDialogOptionsFor('notes').filters[0].extensions).toEqual(['csv', 'gz']);
    expect(openDialogOptionsFor('model').filters[0].extensions).toEqual(['gguf']);
  });
});

describe('createChooseFile', () => {
  function fakeDialog(result: { canceled: boolean; filePaths: string[] }) {
    const calls: unknown[][] = [];
    return { calls, dialog: { showOpenDialog: async (...args: unknown[]) => (calls.push(args), result) } };
  }

  it('answers the chosen path, with the dialog attached to the window', async () => {
    const window = { id: 1 };
    const { calls, dialog } = fakeDialog({ canceled: false, filePaths: ['/data/discharge.csv.gz'] });
    const chooseFile = createChooseFile(dialog as never, () => window as never);
    await expect(chooseFile({ purpose: 'notes' })).resolves.toEqual({ path: '/data/discharge.csv.gz' });
    expect(calls[0][0]).toBe(window);
    expect(calls[0][1]).toEqual(openDialogOptionsFor('notes'));
  });

  it('answers null when cancelled, and works without a window', async () => {
    const { calls, dialog } = fakeDialog({ canceled: true, filePaths: [] });
    const chooseFile = createChooseFile(dialog as never, () => null);
    await expect(chooseFile({ purpose: 'model' })).resolves.toEqual({ path: null });
    expect(calls[0]).toEqual([openDialogOptionsFor('model')]);
  });
});

describe('confirmStopRun', () => {
  it('is true only for the "stop" button; Escape and closing the box keep the run', async () => {
    const question = stopRunQuestion('r1');
    expect(question.buttons[0]).toMatch(/stop/i);
    expect(question.cancelId).toBe(1);
    expect(question.defaultId).toBe(1);
    const answering = (response: number) => ({ showMessageBox: async () => ({ response, checkboxChecked: false }) });
    await expect(confirmStopRun(answering(0) as never, null, 'r1')).resolves.toBe(true);
    await expect(confirmStopRun(answering(1) as never, null, 'r1')).resolves.toBe(false);
  });

  it('names the run and says it can be resumed', () => {
    const question = stopRunQuestion('qwen-2025');
    expect(question.message).toContain('qwen-2025');
    expect(question.detail).toMatch(/resumed/);
  });
});
