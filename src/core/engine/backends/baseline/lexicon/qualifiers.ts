/** A dimension on which two otherwise similar concepts differ (type 1 vs type 2). Conflicting values near a match block it. */
export interface QualifierAxis {
  readonly id: string;
  readonly weight: number;
  readonly values: readonly { readonly value: string; readonly phrases: readonly string[] }[];
}


export const QUALIFIER_AXES: readonly QualifierAxis[] = [
  {
    id: 'type',
    weight: 1,
    values: [
      { value: '1', phrases: ['type 1', 'type i', 't1dm', 'dm1', 'iddm', 'juvenile onset'] },
      { value: '2', phrases: ['type 2', 'type ii', 't2dm', 'dm2', 'dmii', 'dm ii', 'niddm'] },
    ],
  },
  {
    id: 'acuity',
    weight: 0.75,
    values: [
      { value: 'acute', phrases: ['acute', 'acutely'] },
      { value: 'chronic', phrases: ['chronic', 'chronically'] },
      // Longest match wins, so "acute on chronic" is one value rather than both acute and chronic.
      { value: 'acute on chronic', phrases: ['acute on chronic', 'acute and chronic'] },
    ],
  },
  {
    id: 'hf_type',
    weight: 1,
    values: [
      { value: 'systolic', phrases: ['systolic', 'hfref', 'reduced ejection fraction', 'reduced ef'] },
      { value: 'diastolic', phrases: ['diastolic', 'hfpef', 'preserved ejection fraction', 'preserved ef'] },
      { value: 'combined', phrases: ['combined systolic and diastolic', 'systolic and diastolic', 'hfmref'] },
    ],
  },
  {
    id: 'mi_type',
    weight: 1,
    values: [
      { value: 'nstemi', phrases: ['nstemi', 'non st elevation', 'nste'] },
      { value: 'stemi', phrases: ['stemi', 'st elevation'] },
    ],
  },
  {
    id: 'laterality',
    // Weak: notes often omit the side, but a stated opposite side still blocks the match.
    weight: 0.4,
    values: [
      { value: 'left', phrases: ['left', 'lt', 'lle', 'lue', 'lll', 'lul'] },
      { value: 'right', phrases: ['right', 'rt', 'rle', 'rue', 'rll', 'rul', 'rml'] },
      { value: 'bilateral', phrases: ['bilateral', 'bilaterally', 'bilat', 'ble'] },
    ],
  },
  {
    id: 'substance_relation',
    weight: 1,
    values: [
      { value: 'use', phrases: ['use', 'user'] },
      { value: 'abuse', phrases: ['abuse', 'misuse'] },
      { value: 'dependence', phrases: ['dependence', 'dependent', 'use disorder', 'addiction'] },
    ],
  },
  {
    id: 'oxygenation',
    weight: 1,
    values: [
      { value: 'hypoxia', phrases: ['hypoxia', 'hypoxic', 'hypoxemia', 'hypoxemic'] },
      { value: 'hypercapnia', phrases: ['hypercapnia', 'hypercapnic', 'hypercarbia', 'hypercarbic'] },
      { value: 'both', phrases: ['hypoxia and hypercapnia', 'hypoxic and hypercarbic', 'hypoxemic and hypercarbic'] },
    ],
  },
  {
    id: 'af_pattern',
    weight: 0.75,
    values: [
      { value: 'paroxysmal', phrases: ['paroxysmal', 'paf'] },
      { value: 'persistent', phrases: ['persistent'] },
      { value: 'permanent', phrases: ['permanent'] },
    ],
  },
  {
    id: 'severity',
    weight: 0.5,
    values: [
      { value: 'mild', phrases: ['mild'] },
      { value: 'moderate', phrases: ['moderate'] },
      { value: 'severe', phrases: ['severe'] },
    ],
  },
  {
    id: 'episode',
    weight: 0.5,
    values: [
      { value: 'single', phrases: ['single episode'] },
      { value: 'recurrent', phrases: ['recurrent'] },
    ],
  },
  {
    id: 'dialysis_mode',
    weight: 0.75,
    values: [
      { value: 'continuous', phrases: ['continuous', 'crrt', 'cvvh', 'cvvhd', 'cvvhdf'] },
      { value: 'intermittent', phrases: ['intermittent', 'ihd'] },
    ],
  },
];
