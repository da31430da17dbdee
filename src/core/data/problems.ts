/** Why a row of an input file did not become a pair (or a prediction). */
export type ProblemKind = 'missing-note' | 'span-out-of-range' | 'duplicate-pair' | 'bad-row' | 'bad-code';

export interface ImportProblem {
  kind: ProblemKind;
  /** 1-based data row: the first row after the header is row 1. */
  row: number;
  /** 1-based line in the file where the row starts, for editors. */
  line: number | null;
  taskId: string | null;
  code: string | null;
  detail: string;
}
