/**
 * Clinical vocabulary for the lexical baseline: synonym groups, qualifier axes, lab rules and ICD boilerplate.
 *
 * Everything here is data. Phrases are written the way a clinician or the ICD-10 tabular list writes them; the matcher
 * normalizes them with the same pipeline it uses for notes (lower case, stopwords dropped, light stemming), so a phrase
 * only has to be listed once in its natural spelling. To teach the baseline a new idea, add a group (or a phrase to an
 * existing group); nothing else needs to change.
 */

/** Surface forms that name one clinical idea. Matching is symmetric: a concept naming any phrase requires the group, and any phrase in a sentence satisfies it. */
export interface SynonymGroup {
  readonly id: string;
  /** Human name, used in rationales when the concept's own wording is not available. */
  readonly label: string;
  readonly phrases: readonly string[];
  /**
   * Short abbreviations that collide with other uses (`PE:` physical exam, `HD #3` hospital day, `AF` afebrile).
   * They count only when written in capitals and not used as a label (followed by `:`, `#` or a digit).
   */
  readonly ambiguous?: readonly string[];
  /** Broader groups this one entails: a sentence naming septic shock also documents sepsis. */
  readonly implies?: readonly string[];
  /** Weight in a concept; defaults to the matcher's group weight. Body sites and "history of" carry less than a diagnosis. */
  readonly weight?: number;
}

/** A dimension on which two otherwise similar concepts differ (type 1 vs type 2). Conflicting values near a match block it. */
export interface QualifierAxis {
  readonly id: string;
  readonly weight: number;
  readonly values: readonly { readonly value: string; readonly phrases: readonly string[] }[];
}

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

const BODY_SITE_WEIGHT = 1.5;
const HISTORY_WEIGHT = 1.5;

export const CLINICAL_SYNONYM_GROUPS: readonly SynonymGroup[] = [
  // Cardiovascular
  {
    id: 'hypertension',
    label: 'hypertension',
    phrases: ['hypertension', 'htn', 'high blood pressure', 'hypertensive', 'essential hypertension', 'elevated blood pressure'],
  },
  {
    id: 'heart_failure',
    label: 'heart failure',
    // Qualified forms (systolic, diastolic) stay out of this list on purpose: the hf_type axis must see them.
    phrases: ['heart failure', 'congestive heart failure', 'chf', 'hfref', 'hfpef', 'hfmref', 'chf exacerbation', 'decompensated heart failure'],
  },
  {
    id: 'atrial_fibrillation',
    label: 'atrial fibrillation',
    phrases: ['atrial fibrillation', 'afib', 'a fib', 'paf', 'atrial fibrillation with rvr', 'af with rvr'],
    ambiguous: ['af'],
  },
  { id: 'atrial_flutter', label: 'atrial flutter', phrases: ['atrial flutter', 'aflutter', 'a flutter'] },
  { id: 'ventricular_fibrillation', label: 'ventricular fibrillation', phrases: ['ventricular fibrillation', 'vfib', 'v fib'] },
  {
    id: 'coronary_artery_disease',
    label: 'coronary artery disease',
    phrases: [
      'coronary artery disease',
      'cad',
      'coronary atherosclerosis',
      'atherosclerotic heart disease',
      'atherosclerotic heart disease of native coronary artery',
      'ashd',
      'ischemic heart disease',
    ],
  },
  {
    id: 'myocardial_infarction',
    label: 'myocardial infarction',
    phrases: [
      'myocardial infarction',
      'mi',
      'heart attack',
      // Only the abbreviations: spelled-out "ST elevation" must stay visible to the mi_type axis.
      'nstemi',
      'stemi',
    ],
  },
  { id: 'pacemaker', label: 'pacemaker', phrases: ['pacemaker', 'ppm', 'cardiac pacemaker', 'pacer'] },
  {
    id: 'defibrillator',
    label: 'implantable defibrillator',
    phrases: ['automatic cardiac defibrillator', 'implantable cardioverter defibrillator', 'aicd', 'defibrillator'],
    ambiguous: ['icd'],
  },
  {
    id: 'deep_vein_thrombosis',
    label: 'deep vein thrombosis',
    phrases: [
      'deep vein thrombosis',
      'deep venous thrombosis',
      'dvt',
      'embolism and thrombosis of deep veins',
      'thrombosis of deep veins',
      'deep vein thrombus',
    ],
  },
  {
    id: 'pulmonary_embolism',
    label: 'pulmonary embolism',
    phrases: ['pulmonary embolism', 'pulmonary emboli', 'pulmonary embolus', 'saddle embolus'],
    ambiguous: ['pe'],
  },
  // Renal
  {
    id: 'chronic_kidney_disease',
    label: 'chronic kidney disease',
    phrases: [
      'chronic kidney disease',
      'ckd',
      'chronic renal failure',
      'chronic renal insufficiency',
      'chronic renal disease',
      'acute on chronic renal failure',
      'acute on chronic kidney injury',
    ],
  },
  {
    id: 'acute_kidney_injury',
    label: 'acute kidney injury',
    phrases: [
      'acute kidney injury',
      'aki',
      'acute kidney failure',
      'acute renal failure',
      'acute renal insufficiency',
      'acute on chronic renal failure',
      'acute on chronic kidney injury',
    ],
    ambiguous: ['arf'],
  },
  { id: 'acute_tubular_necrosis', label: 'acute tubular necrosis', phrases: ['acute tubular necrosis', 'tubular necrosis', 'atn'], implies: ['acute_kidney_injury'] },
  {
    id: 'end_stage_renal_disease',
    label: 'end stage renal disease',
    phrases: ['end stage renal disease', 'esrd', 'eskd', 'end stage kidney disease'],
    implies: ['chronic_kidney_disease'],
  },
  // Pulmonary
  { id: 'copd', label: 'COPD', phrases: ['chronic obstructive pulmonary disease', 'copd', 'chronic obstructive lung disease'] },
  { id: 'pneumonia', label: 'pneumonia', phrases: ['pneumonia', 'pna', 'hcap', 'community acquired pneumonia', 'multifocal pneumonia'] },
  {
    id: 'aspiration_pneumonia',
    label: 'aspiration pneumonia',
    phrases: ['aspiration pneumonia', 'aspiration pneumonitis', 'pneumonitis due to inhalation of food and vomit'],
    implies: ['pneumonia'],
  },
  {
    id: 'respiratory_failure',
    label: 'respiratory failure',
    phrases: ['respiratory failure', 'hypoxic respiratory failure', 'hypercarbic respiratory failure', 'hypoxemic respiratory failure'],
  },
  { id: 'obstructive_sleep_apnea', label: 'obstructive sleep apnea', phrases: ['obstructive sleep apnea', 'osa', 'sleep apnea', 'cpap at night', 'nocturnal cpap'] },
  { id: 'dyspnea', label: 'dyspnea', phrases: ['dyspnea', 'shortness of breath', 'sob', 'short of breath', 'dyspneic'] },
  // Endocrine and metabolic
  {
    id: 'diabetes',
    label: 'diabetes mellitus',
    // Typed abbreviations (T2DM) live here and on the `type` axis, so they satisfy both the disease and its type.
    phrases: ['diabetes mellitus', 'diabetes', 'dm', 'diabetic', 't2dm', 't1dm', 'dm2', 'dm1', 'dmii', 'dm ii', 'niddm', 'iddm'],
  },
  {
    id: 'hyperlipidemia',
    label: 'hyperlipidemia',
    phrases: ['hyperlipidemia', 'hld', 'high cholesterol', 'hypercholesterolemia', 'dyslipidemia', 'elevated cholesterol', 'pure hypercholesterolemia'],
  },
  { id: 'hypothyroidism', label: 'hypothyroidism', phrases: ['hypothyroidism', 'hypothyroid', 'low thyroid'] },
  { id: 'obesity', label: 'obesity', phrases: ['obesity', 'obese'] },
  {
    id: 'morbid_obesity',
    label: 'morbid obesity',
    phrases: ['morbid obesity', 'morbidly obese', 'severe obesity', 'class 3 obesity', 'class iii obesity'],
    implies: ['obesity'],
  },
  { id: 'overweight', label: 'overweight', phrases: ['overweight'] },
  { id: 'underweight', label: 'underweight', phrases: ['underweight', 'cachexia', 'cachectic'] },
  { id: 'hyponatremia', label: 'hyponatremia', phrases: ['hyponatremia', 'hyponatremic', 'low sodium', 'sodium low', 'na low', 'low na', 'hypo osmolality', 'hyposmolality'] },
  { id: 'hypernatremia', label: 'hypernatremia', phrases: ['hypernatremia', 'hypernatremic', 'high sodium', 'hyperosmolality'] },
  { id: 'hypokalemia', label: 'hypokalemia', phrases: ['hypokalemia', 'hypokalemic', 'low potassium', 'potassium low', 'k low', 'low k'] },
  { id: 'hyperkalemia', label: 'hyperkalemia', phrases: ['hyperkalemia', 'hyperkalemic', 'high potassium', 'elevated potassium'] },
  { id: 'hypomagnesemia', label: 'hypomagnesemia', phrases: ['hypomagnesemia', 'low magnesium', 'low mg'] },
  { id: 'hypoglycemia', label: 'hypoglycemia', phrases: ['hypoglycemia', 'hypoglycemic episode', 'low blood sugar'] },
  { id: 'dehydration', label: 'dehydration', phrases: ['dehydration', 'dehydrated', 'volume depletion', 'hypovolemia', 'hypovolemic'] },
  // Hematology
  { id: 'anemia', label: 'anemia', phrases: ['anemia', 'anemic', 'low hemoglobin', 'low hgb', 'hgb low', 'low hematocrit', 'low blood count'] },
  {
    id: 'blood_loss_anemia',
    label: 'acute blood loss anemia',
    phrases: ['acute posthemorrhagic anemia', 'posthemorrhagic anemia', 'acute blood loss anemia', 'blood loss anemia', 'abla'],
    implies: ['anemia'],
  },
  { id: 'iron_deficiency_anemia', label: 'iron deficiency anemia', phrases: ['iron deficiency anemia', 'iron deficient anemia'], implies: ['anemia'] },
  {
    id: 'thrombocytopenia',
    label: 'thrombocytopenia',
    phrases: ['thrombocytopenia', 'thrombocytopenic', 'low platelets', 'low platelet count', 'plt low', 'low plt', 'platelets low'],
  },
  { id: 'leukocytosis', label: 'leukocytosis', phrases: ['leukocytosis', 'elevated wbc', 'white count elevated', 'high white count'] },
  { id: 'leukopenia', label: 'leukopenia', phrases: ['leukopenia', 'low wbc', 'low white count'] },
  // Infection
  { id: 'sepsis', label: 'sepsis', phrases: ['sepsis', 'septic', 'septicemia'] },
  { id: 'severe_sepsis', label: 'severe sepsis', phrases: ['severe sepsis'], implies: ['sepsis'] },
  { id: 'septic_shock', label: 'septic shock', phrases: ['septic shock'], implies: ['severe_sepsis', 'sepsis'] },
  { id: 'urosepsis', label: 'urosepsis', phrases: ['urosepsis'], implies: ['sepsis', 'urinary_tract_infection'] },
  { id: 'urinary_tract_infection', label: 'urinary tract infection', phrases: ['urinary tract infection', 'uti', 'utis'] },
  { id: 'e_coli', label: 'E. coli', phrases: ['escherichia coli', 'e coli', 'ecoli'] },
  // Gastrointestinal and hepatic
  {
    id: 'gerd',
    label: 'gastroesophageal reflux disease',
    phrases: ['gastro esophageal reflux disease', 'gastroesophageal reflux disease', 'gastroesophageal reflux', 'gerd', 'acid reflux', 'reflux'],
  },
  { id: 'cirrhosis', label: 'cirrhosis', phrases: ['cirrhosis', 'cirrhotic', 'cirrhosis of liver', 'liver cirrhosis'] },
  {
    id: 'gallstones',
    label: 'gallstones',
    phrases: ['calculus of gallbladder', 'cholelithiasis', 'gallstone', 'gallstones', 'calculous', 'choledocholithiasis'],
  },
  { id: 'gi_bleed', label: 'gastrointestinal hemorrhage', phrases: ['gastrointestinal hemorrhage', 'gi bleed', 'gib', 'ugib', 'lgib', 'gastrointestinal bleed'] },
  { id: 'nausea_vomiting', label: 'nausea and vomiting', phrases: ['nausea with vomiting', 'nausea and vomiting', 'n v'] },
  // Neurology and psychiatry
  { id: 'stroke', label: 'stroke', phrases: ['cerebral infarction', 'stroke', 'cva', 'cerebrovascular accident', 'ischemic stroke'] },
  { id: 'tia', label: 'transient ischemic attack', phrases: ['transient ischemic attack', 'transient cerebral ischemic attack', 'tia'] },
  // An ECG finding, listed so that "ST depressions" is not read as the mood disorder.
  { id: 'st_depression', label: 'ST depression', phrases: ['st depression', 'st depressions', 'st segment depression'] },
  {
    id: 'depression',
    label: 'depression',
    phrases: ['major depressive disorder', 'mdd', 'depression', 'depressive disorder', 'depressed mood'],
  },
  { id: 'anxiety', label: 'anxiety', phrases: ['anxiety', 'anxious', 'anxiety disorder', 'generalized anxiety disorder', 'gad'] },
  { id: 'alcohol', label: 'alcohol', phrases: ['alcohol', 'alcoholic', 'etoh', 'ethanol', 'alcohol use disorder', 'drinks', 'beers', 'wine', 'liquor', 'vodka'] },
  {
    id: 'tobacco',
    label: 'tobacco',
    phrases: ['tobacco', 'smoker', 'smoking', 'smokes', 'cigarette', 'cigarettes', 'nicotine', 'pack year', 'pack years', 'cigar', 'tobacco use'],
  },
  { id: 'chronic_pain', label: 'chronic pain', phrases: ['chronic pain', 'chronic pain syndrome'] },
  { id: 'delirium', label: 'delirium', phrases: ['delirium', 'delirious', 'acute confusional state'] },
  // Status and history
  {
    id: 'history',
    label: 'history of',
    phrases: ['history', 'hx', 'personal history', 'status post', 'prior', 'previous', 'remote', 'former', 'quit', 'old', 'past'],
    weight: HISTORY_WEIGHT,
  },
  { id: 'family_history', label: 'family history', phrases: ['family history', 'fh', 'family hx'], weight: HISTORY_WEIGHT },
  { id: 'dnr', label: 'do not resuscitate', phrases: ['do not resuscitate', 'dnr', 'dnr dni'] },
  {
    id: 'palliative_care',
    label: 'palliative care',
    phrases: ['palliative care', 'palliative', 'comfort care', 'comfort measures', 'comfort measures only', 'cmo'],
  },
  // Medications (Z79 long-term use codes name drug classes; notes name drugs)
  {
    id: 'anticoagulant',
    label: 'anticoagulant',
    phrases: ['anticoagulant', 'anticoagulation', 'anticoagulated', 'warfarin', 'coumadin', 'apixaban', 'eliquis', 'rivaroxaban', 'xarelto', 'dabigatran', 'pradaxa', 'edoxaban', 'enoxaparin', 'lovenox'],
  },
  {
    id: 'antiplatelet',
    label: 'antiplatelet',
    phrases: ['antiplatelet', 'antithrombotic', 'clopidogrel', 'plavix', 'ticagrelor', 'brilinta', 'prasugrel', 'effient'],
  },
  { id: 'aspirin', label: 'aspirin', phrases: ['aspirin', 'asa', 'acetylsalicylic acid'] },
  { id: 'insulin', label: 'insulin', phrases: ['insulin', 'lantus', 'glargine', 'humalog', 'lispro', 'novolog', 'aspart', 'levemir', 'detemir', 'nph', 'insulin sliding scale'] },
  {
    id: 'oral_hypoglycemic',
    label: 'oral hypoglycemic',
    phrases: ['oral hypoglycemic drugs', 'oral hypoglycemic', 'metformin', 'glipizide', 'glyburide', 'glimepiride', 'sitagliptin', 'januvia', 'pioglitazone'],
  },
  {
    id: 'steroid',
    label: 'steroids',
    phrases: ['steroid', 'corticosteroid', 'prednisone', 'methylprednisolone', 'solumedrol', 'dexamethasone', 'hydrocortisone'],
  },
  {
    id: 'opioid',
    label: 'opioid',
    phrases: ['opiate', 'opioid', 'oxycodone', 'oxycontin', 'morphine', 'hydromorphone', 'dilaudid', 'fentanyl', 'methadone', 'tramadol'],
  },
  { id: 'levothyroxine', label: 'levothyroxine', phrases: ['levothyroxine', 'synthroid', 'levoxyl'], implies: ['hypothyroidism'] },
  // Body sites (a PCS description names them; notes use abbreviations)
  {
    id: 'lower_extremity',
    label: 'lower extremity',
    phrases: ['lower extremity', 'lower extremities', 'leg', 'legs', 'lle', 'rle', 'ble', 'lower limb'],
    weight: BODY_SITE_WEIGHT,
  },
  { id: 'upper_extremity', label: 'upper extremity', phrases: ['upper extremity', 'upper extremities', 'arm', 'lue', 'rue', 'upper limb'], weight: BODY_SITE_WEIGHT },
  // ICD-10-PCS procedures: the tabular description first, then how notes say it
  {
    id: 'rbc_transfusion',
    label: 'red cell transfusion',
    phrases: [
      'transfusion of nonautologous red blood cells',
      'transfusion of red blood cells',
      'prbc',
      'prbcs',
      'packed red blood cells',
      'packed red cells',
      'blood transfusion',
      'transfusion',
      'transfused',
      'units of blood',
      'unit of blood',
    ],
    // Transfusion is ordered for low hemoglobin, so it documents anemia implicitly.
    implies: ['anemia'],
  },
  {
    id: 'platelet_transfusion',
    label: 'platelet transfusion',
    phrases: ['transfusion of nonautologous platelets', 'transfusion of platelets', 'platelet transfusion', 'transfused platelets', 'units of platelets', 'unit of platelets'],
  },
  {
    id: 'plasma_transfusion',
    label: 'plasma transfusion',
    phrases: ['transfusion of nonautologous frozen plasma', 'fresh frozen plasma', 'ffp', 'plasma transfusion'],
  },
  {
    id: 'mechanical_ventilation',
    label: 'mechanical ventilation',
    phrases: ['respiratory ventilation', 'mechanical ventilation', 'mechanically ventilated', 'ventilator', 'ventilated', 'intubated', 'intubation', 'extubated', 'extubation', 'vent'],
  },
  {
    id: 'intubation',
    label: 'endotracheal intubation',
    phrases: ['insertion of endotracheal airway into trachea', 'endotracheal intubation', 'intubated', 'intubation', 'endotracheal tube', 'ett'],
  },
  {
    id: 'dialysis',
    label: 'dialysis',
    phrases: [
      'performance of urinary filtration',
      'hemodialysis',
      'dialysis',
      'renal replacement therapy',
      'crrt',
      'cvvh',
      'cvvhd',
      'cvvhdf',
      'ultrafiltration',
      'renal dialysis',
    ],
    ambiguous: ['hd'],
  },
  { id: 'paracentesis', label: 'paracentesis', phrases: ['drainage of peritoneal cavity', 'paracentesis'] },
  { id: 'thoracentesis', label: 'thoracentesis', phrases: ['drainage of pleural cavity', 'thoracentesis', 'pleural tap'] },
  {
    id: 'chest_tube',
    label: 'chest tube',
    phrases: ['drainage of pleural cavity with drainage device', 'chest tube', 'pleurx', 'pigtail catheter', 'tube thoracostomy'],
  },
  { id: 'lumbar_puncture', label: 'lumbar puncture', phrases: ['drainage of spinal canal', 'lumbar puncture', 'spinal tap'], ambiguous: ['lp'] },
  {
    id: 'central_line',
    label: 'central venous line',
    phrases: [
      'insertion of infusion device into superior vena cava',
      'central line',
      'central venous catheter',
      'central venous line',
      'cvc',
      'picc',
      'picc line',
      'tunneled line',
    ],
  },
  { id: 'colonoscopy', label: 'colonoscopy', phrases: ['inspection of lower intestinal tract', 'colonoscopy', 'flexible sigmoidoscopy'] },
  { id: 'egd', label: 'EGD', phrases: ['inspection of upper intestinal tract', 'egd', 'esophagogastroduodenoscopy', 'upper endoscopy'] },
  {
    id: 'feeding_tube',
    label: 'gastrostomy feeding tube',
    phrases: ['insertion of feeding device into stomach', 'peg', 'peg tube', 'gastrostomy tube', 'g tube', 'gtube', 'gastrostomy'],
  },
  {
    id: 'cardiac_catheterization',
    label: 'cardiac catheterization',
    phrases: [
      'fluoroscopy of coronary arteries',
      'fluoroscopy of multiple coronary arteries',
      'fluoroscopy of single coronary artery',
      'cardiac catheterization',
      'cardiac cath',
      'coronary angiography',
      'coronary angiogram',
      'left heart catheterization',
      'lhc',
      'cath',
    ],
  },
  {
    id: 'coronary_stent',
    label: 'coronary stent (PCI)',
    phrases: [
      'dilation of coronary artery',
      'pci',
      'percutaneous coronary intervention',
      'stent',
      'stenting',
      'drug eluting stent',
      'drug eluting intraluminal device',
      'bare metal stent',
      'angioplasty',
      'ptca',
      'coronary angioplasty implant and graft',
    ],
  },
  {
    id: 'cabg',
    label: 'coronary artery bypass',
    phrases: ['bypass coronary artery', 'cabg', 'coronary artery bypass', 'coronary bypass', 'aortocoronary bypass graft', 'aortocoronary bypass'],
  },
  { id: 'cholecystectomy', label: 'cholecystectomy', phrases: ['resection of gallbladder', 'cholecystectomy', 'lap chole', 'ccy'] },
  { id: 'appendectomy', label: 'appendectomy', phrases: ['resection of appendix', 'appendectomy'] },
  {
    id: 'ecmo',
    label: 'ECMO',
    phrases: ['extracorporeal oxygenation membrane', 'extracorporeal membrane oxygenation', 'ecmo'],
  },
  { id: 'ct_scan', label: 'CT scan', phrases: ['computerized tomography', 'ct scan', 'ct', 'cat scan', 'cta'] },
  { id: 'mri', label: 'MRI', phrases: ['magnetic resonance imaging', 'mri', 'mra'] },
  { id: 'echocardiogram', label: 'echocardiogram', phrases: ['ultrasonography of heart', 'echocardiogram', 'echo', 'tte', 'tee', 'transthoracic echo'] },
];

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

/**
 * Single words that mean the same thing in notes and in ICD wording (renal = kidney). Applied to every token, so
 * phrases and concepts benefit too.
 */
export const WORD_EQUIVALENTS: Readonly<Record<string, string>> = {
  renal: 'kidney',
  cardiac: 'heart',
  hepatic: 'liver',
  pulmonary: 'lung',
  gastric: 'stomach',
  abdominal: 'abdomen',
  abd: 'abdomen',
  hx: 'history',
  fx: 'fracture',
  sx: 'symptom',
  dx: 'diagnosis',
  tx: 'treatment',
  femoral: 'femur',
  hemorrhage: 'bleed',
  hemorrhagic: 'bleed',
  bleeding: 'bleed',
  fell: 'fall',
  febrile: 'fever',
  infected: 'infection',
  infectious: 'infection',
  thrombus: 'thrombosis',
  thrombi: 'thrombosis',
  embolus: 'embolism',
  emboli: 'embolism',
  embolic: 'embolism',
  stenotic: 'stenosis',
  edematous: 'edema',
  ulcerated: 'ulcer',
  ulceration: 'ulcer',
  infarct: 'infarction',
  infarcts: 'infarction',
};

/** ICD wording that carries no clinical signal; dropped from a concept before it is matched. */
export const ICD_BOILERPLATE_WORDS: readonly string[] = [
  'unspecified', 'other', 'specified', 'type', 'initial', 'subsequent', 'sequela', 'encounter', 'nec', 'nos', 'elsewhere',
  'classified', 'classd', 'uncomplicated', 'mention', 'adult', 'presence', 'native', 'consecutive', 'hour', 'hours', 'greater',
  'less', 'than', 'per', 'approach', 'via', 'using', 'one', 'two', 'three', 'four', 'organism', 'unknown', 'known', 'current',
  'severity', 'certain', 'involving', 'affecting', 'following', 'site', 'complication', 'complications', 'manifestation',
];

/** Multi-word ICD boilerplate, removed before the single words so that "site not specified" does not read as a negation. */
export const ICD_BOILERPLATE_PHRASES: readonly string[] = [
  'not elsewhere classified',
  'not otherwise specified',
  'site not specified',
  'not specified',
  'without complications',
  'without complication',
  'without mention of complication',
  'initial encounter for closed fracture',
  'initial encounter for open fracture',
  'subsequent encounter for fracture with routine healing',
  'long term use',
  'long term',
  'due to excess calories',
  'due to known physiological condition',
  'percutaneous endoscopic approach',
  'percutaneous approach',
  'open approach',
  'external approach',
  'via natural or artificial opening endoscopic',
  'via natural or artificial opening',
  'low osmolar contrast',
  'high osmolar contrast',
  'other contrast',
  'hours per day',
  'place of occurrence of the external cause',
  'as the place of occurrence',
  // PCS transfusions name the vein they run into; notes almost never do.
  'into peripheral vein',
  'into central vein',
];

/** Generic words that still say something, but much less than a disease or organ name. */
export const WEAK_WORDS: readonly string[] = [
  'disease', 'disorder', 'syndrome', 'condition', 'abnormal', 'abnormality', 'finding', 'body', 'part', 'structure', 'region',
  'device', 'system', 'function', 'level', 'status', 'procedure', 'diagnostic', 'therapy', 'drug', 'tissue', 'substance',
  'vein', 'artery', 'arteries', 'cavity', 'lower', 'upper', 'multiple', 'single', 'episode', 'organ', 'systemic', 'analgesic',
  'care', 'intraluminal', 'nonautologous', 'peripheral', 'central', 'endoscopic', 'mixed', 'primary', 'secondary', 'state',
];
