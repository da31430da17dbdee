import type { BrowserWindow, Dialog, FileFilter, MessageBoxOptions } from 'electron';
import type { CallRequest, CallResponse } from '../shared/contract';

export type FilePurpose = CallRequest<'chooseFile'>['purpose'];

const csvFiles: FileFilter = { name: 'CSV files', extensions: ['csv', 'gz'] };
const allFiles: FileFilter = { name: 'All files', extensions: ['*'] };

/** What the open dialog offers for each purpose; "All files" stays, since names vary between sites. */
const PURPOSES: Record<FilePurpose, { title: string; filters: FileFilter[] }> = {
  annotations: { title: 'Choose the MedicalBench annotations (dataset_raw.csv)', filters: [csvFiles, allFiles] },
  notes: { title: 'Choose the MIMIC-IV-Note discharge notes (discharge.csv.gz)', filters: [csvFiles, allFiles] },
  processed: { title: 'Choose a processed MedicalBench CSV', filters: [csvFiles, allFiles] },
  model: { title: 'Choose a GGUF model file', filters: [{ name: 'GGUF models', extensions: ['gguf'] }, allFiles] },
  predictions: { title: 'Choose a predictions file', filters: [{ name: 'Predictions', extensions: ['csv', 'json', 'jsonl'] }, allFiles] },
};

export function openDialogOptionsFor(purpose: FilePurpose): { title: string; filters: FileFilter[]; properties: ['openFile'] } {
  const { title, filters } = PURPOSES[purpose];
  return { title, filters, properties: ['openFile'] };
}

/**
 * The desktop's `chooseFile` call: a native open dialog attached to the app window. The path goes
 * back to the renderer, which hands it to an import or model call; main never reads the file here.
 */
export function createChooseFile(dialog: Pick<Dialog, 'showOpenDialog'>, window: () => BrowserWindow | null) {
  return async ({ purpose }: CallRequest<'chooseFile'>): Promise<CallResponse<'chooseFile'>> => {
    const options = openDialogOptionsFor(purpose);
    const parent = window();
    const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return { path: result.canceled ? null : (result.filePaths[0] ?? null) };
  };
}

/** The question asked when the user quits while a run is going. */
export function stopRunQuestion(run: string): MessageBoxOptions & { buttons: string[]; defaultId: number; cancelId: number } {
  return {
    type: 'question',
    title: 'A run is in progress',
    message: `Run "${run}" is still going. Stop it and quit?`,
    detail: 'Predictions made so far are saved. The run can be resumed later from the Runs view.',
    buttons: ['Stop the run and quit', 'Keep running'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
}

/** True when the user chose to stop the run and quit. */
export async function confirmStopRun(dialog: Pick<Dialog, 'showMessageBox'>, window: BrowserWindow | null, run: string): Promise<boolean> {
  const question = stopRunQuestion(run);
  const { response } = window ? await dialog.showMessageBox(window, question) : await dialog.showMessageBox(question);
  return response === 0;
}
