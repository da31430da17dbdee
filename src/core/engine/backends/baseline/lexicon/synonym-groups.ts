/**
 * Clinical vocabulary for the lexical baseline: the synonym groups (the other word lists sit beside this file).
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
