/** A lab value that implies a diagnosis when it crosses a threshold (`Hgb-7.1*` implies anemia). */
export interface LabRule {
  readonly analyte: string;
  /** Names as written in notes; matched case-insensitively as whole words, MIMIC style `Na-128` included. */
  readonly names: readonly string[];
  /** Names that are also common words or units (`mg`); matched only in the compact MIMIC form `Mg-1.4`. */
  readonly compactNames?: readonly string[];
  /** Values outside this range are taken to be something else (a dose, a date fragment) and ignored. */
  readonly plausible: readonly [min: number, max: number];
  readonly below?: { readonly value: number; readonly groups: readonly string[] };
  readonly above?: { readonly value: number; readonly groups: readonly string[] };
}


export const LAB_RULES: readonly LabRule[] = [
  // Thresholds are deliberately plain reference-range edges: the baseline only needs "clearly abnormal".
  { analyte: 'Hgb', names: ['hgb', 'hemoglobin', 'hb'], plausible: [2, 25], below: { value: 12, groups: ['anemia'] } },
  { analyte: 'Hct', names: ['hct', 'hematocrit'], plausible: [8, 70], below: { value: 33, groups: ['anemia'] } },
  {
    analyte: 'Na',
    names: ['na', 'sodium'],
    plausible: [95, 190],
    // 133, not 135: a sodium of 134 is rarely called hyponatremia.
    below: { value: 133, groups: ['hyponatremia'] },
    above: { value: 145, groups: ['hypernatremia'] },
  },
  {
    analyte: 'K',
    names: ['k', 'potassium'],
    plausible: [1.5, 9],
    below: { value: 3.5, groups: ['hypokalemia'] },
    above: { value: 5.2, groups: ['hyperkalemia'] },
  },
  { analyte: 'Plt', names: ['plt', 'platelets', 'platelet', 'plts'], plausible: [1, 2000], below: { value: 150, groups: ['thrombocytopenia'] } },
  {
    analyte: 'WBC',
    names: ['wbc', 'white count', 'white blood cell count'],
    plausible: [0.1, 300],
    below: { value: 4, groups: ['leukopenia'] },
    above: { value: 11, groups: ['leukocytosis'] },
  },
  { analyte: 'Mg', names: ['magnesium'], compactNames: ['mg'], plausible: [0.3, 6], below: { value: 1.6, groups: ['hypomagnesemia'] } },
  { analyte: 'Glucose', names: ['glucose', 'blood sugar', 'fsbg', 'bg'], plausible: [10, 2500], below: { value: 70, groups: ['hypoglycemia'] } },
];

/** BMI bands that imply a weight diagnosis; a documented BMI is the implicit evidence the benchmark describes. */
export const BMI_IMPLIED_GROUPS: readonly { readonly min: number; readonly max: number; readonly groups: readonly string[] }[] = [
  { min: 0, max: 18.5, groups: ['underweight'] },
  { min: 25, max: 30, groups: ['overweight'] },
  { min: 30, max: 40, groups: ['obesity'] },
  { min: 40, max: Infinity, groups: ['morbid_obesity', 'obesity'] },
];
