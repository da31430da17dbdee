import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { seededRng, type Rng } from './rng';

/**
 * Synthetic MIMIC-IV hosp tables with matching MIMIC-IV-Note discharge notes, for the build
 * pipeline's tests and `medbench demo --build`. Every word was written for this project: there is
 * no MIMIC text here. The shapes are MIMIC's: codes without dots, icd_version 9 and 10 rows mixed
 * (older admissions are coded in ICD-9 only), seq_num as the coding priority, d_icd_* dictionaries
 * holding far more codes than are ever assigned, and a long tail of code prevalence (a few codes on
 * many admissions, most on a handful).
 *
 * Each assigned code is documented in the note explicitly (named), implicitly (only findings that
 * imply it: a hemoglobin drop with a transfusion for blood loss anemia), or not at all (a billed
 * code the summary never supports) - the three situations the benchmark's triage separates.
 */

interface Concept {
  code: string;
  system: 'CM' | 'PCS';
  title: string;
  /** How a clinician names it in the note. */
  name: string;
  /** A sentence that supports the code without naming it; null when only naming can support it. */
  implicit: ((rng: Rng) => string) | null;
  explicit: (rng: Rng) => string;
}

const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const dec = (rng: Rng, min: number, max: number): string => (min + rng() * (max - min)).toFixed(1);

// Ordered by how common they are: the index gives the prevalence rank (Zipf-like weights below).
const CONCEPTS: readonly Concept[] = [
  { code: 'I10', system: 'CM', title: 'Essential (primary) hypertension', name: 'Hypertension', implicit: (r) => `Blood pressure ran ${int(r, 150, 175)}/${int(r, 88, 100)} and home amlodipine was continued.`, explicit: () => 'Hypertension was controlled on the home regimen.' },
  { code: 'E785', system: 'CM', title: 'Hyperlipidemia, unspecified', name: 'Hyperlipidemia', implicit: (r) => `LDL ${int(r, 160, 210)}; atorvastatin was continued.`, explicit: () => 'Hyperlipidemia: continued atorvastatin.' },
  { code: 'N179', system: 'CM', title: 'Acute kidney failure, unspecified', name: 'Acute kidney injury', implicit: (r) => `Creatinine rose from ${dec(r, 0.8, 1.1)} to ${dec(r, 2.1, 3.4)} and returned toward baseline with IV fluids.`, explicit: () => 'Acute kidney injury, prerenal, resolved with fluids.' },
  { code: 'E119', system: 'CM', title: 'Type 2 diabetes mellitus without complications', name: 'Type 2 diabetes', implicit: (r) => `A1c ${dec(r, 7.2, 8.4)} on metformin, which was held in house and resumed at discharge.`, explicit: () => 'Type 2 diabetes mellitus: insulin sliding scale in house.' },
  { code: 'I4891', system: 'CM', title: 'Unspecified atrial fibrillation', name: 'Atrial fibrillation', implicit: (r) => `Telemetry showed an irregularly irregular rhythm at ${int(r, 110, 140)} without P waves; rate controlled with metoprolol.`, explicit: () => 'Atrial fibrillation with rapid ventricular response, rate controlled.' },
  { code: 'D62', system: 'CM', title: 'Acute posthemorrhagic anemia', name: 'Acute blood loss anemia', implicit: (r) => `Hgb fell from ${dec(r, 11, 13)} to ${dec(r, 6.5, 7.5)} and ${int(r, 1, 3)} units of packed red cells were given.`, explicit: () => 'Acute blood loss anemia requiring transfusion.' },
  { code: 'E871', system: 'CM', title: 'Hypo-osmolality and hyponatremia', name: 'Hyponatremia', implicit: (r) => `Na ${int(r, 121, 128)} on admission, corrected slowly with normal saline.`, explicit: () => 'Hyponatremia, hypovolemic, improved.' },
  { code: 'J189', system: 'CM', title: 'Pneumonia, unspecified organism', name: 'Pneumonia', implicit: (r) => `CXR showed a ${pick(r, ['right lower lobe', 'left lower lobe'])} consolidation; treated with ceftriaxone and azithromycin.`, explicit: () => 'Community acquired pneumonia, treated with antibiotics.' },
  { code: 'N390', system: 'CM', title: 'Urinary tract infection, site not specified', name: 'Urinary tract infection', implicit: (r) => `UA with ${int(r, 30, 150)} WBC and nitrite; urine culture grew E. coli.`, explicit: () => 'Urinary tract infection treated with ceftriaxone.' },
  { code: 'E876', system: 'CM', title: 'Hypokalemia', name: 'Hypokalemia', implicit: (r) => `K ${dec(r, 2.7, 3.2)} during diuresis, repleted orally.`, explicit: () => 'Hypokalemia, repleted.' },
  { code: 'I5023', system: 'CM', title: 'Acute on chronic systolic (congestive) heart failure', name: 'Acute on chronic systolic heart failure', implicit: (r) => `EF ${int(r, 20, 35)}% with orthopnea and edema; diuresed with IV furosemide.`, explicit: () => 'Acute on chronic systolic heart failure exacerbation, diuresed.' },
  { code: '30233N1', system: 'PCS', title: 'Transfusion of Nonautologous Red Blood Cells into Peripheral Vein, Percutaneous Approach', name: 'Red cell transfusion', implicit: (r) => `${int(r, 1, 3)} units of pRBC were given through a peripheral IV.`, explicit: () => 'Transfused packed red blood cells peripherally.' },
  { code: 'F17210', system: 'CM', title: 'Nicotine dependence, cigarettes, uncomplicated', name: 'Tobacco use', implicit: (r) => `Smokes ${int(r, 10, 30)} cigarettes a day; nicotine patch offered.`, explicit: () => 'Nicotine dependence: counseled on cessation.' },
  { code: 'K219', system: 'CM', title: 'Gastro-esophageal reflux disease without esophagitis', name: 'GERD', implicit: () => 'Home omeprazole was continued for heartburn.', explicit: () => 'GERD, continued proton pump inhibitor.' },
  { code: 'E6601', system: 'CM', title: 'Morbid (severe) obesity due to excess calories', name: 'Morbid obesity', implicit: (r) => `BMI ${dec(r, 40.5, 48)}.`, explicit: () => 'Morbid obesity, counseled on diet.' },
  { code: 'Z6841', system: 'CM', title: 'Body mass index [BMI] 40.0-44.9, adult', name: 'BMI over 40', implicit: (r) => `Weight ${int(r, 120, 150)} kg, BMI ${dec(r, 40.1, 44.8)}.`, explicit: (r) => `BMI ${dec(r, 40.1, 44.8)} documented.` },
  { code: 'F10239', system: 'CM', title: 'Alcohol dependence with withdrawal, unspecified', name: 'Alcohol withdrawal', implicit: (r) => `Last drink ${int(r, 12, 40)} hours before admission; CIWA scores to ${int(r, 12, 22)} treated with diazepam.`, explicit: () => 'Alcohol withdrawal managed on a CIWA protocol.' },
  { code: 'J441', system: 'CM', title: 'Chronic obstructive pulmonary disease with (acute) exacerbation', name: 'COPD exacerbation', implicit: () => 'Wheezing with increased sputum, treated with prednisone, azithromycin and nebulizers.', explicit: () => 'COPD exacerbation, returned to baseline oxygen.' },
  { code: 'K922', system: 'CM', title: 'Gastrointestinal hemorrhage, unspecified', name: 'GI bleed', implicit: () => 'Melena with a BUN/Cr ratio above 30; pantoprazole drip started.', explicit: () => 'Upper GI bleed, stabilized.' },
  { code: '0DJ08ZZ', system: 'PCS', title: 'Inspection of Upper Intestinal Tract, Via Natural or Artificial Opening Endoscopic', name: 'EGD', implicit: () => 'Upper endoscopy showed gastritis without active bleeding.', explicit: () => 'EGD performed.' },
  { code: 'L03116', system: 'CM', title: 'Cellulitis of left lower limb', name: 'Left leg cellulitis', implicit: () => 'Erythema and warmth of the left shin receded on cefazolin.', explicit: () => 'Cellulitis of the left lower extremity.' },
  { code: 'G9341', system: 'CM', title: 'Metabolic encephalopathy', name: 'Toxic metabolic encephalopathy', implicit: () => 'Confused and inattentive on admission, clearing as the infection was treated.', explicit: () => 'Toxic metabolic encephalopathy, resolved.' },
  { code: 'D696', system: 'CM', title: 'Thrombocytopenia, unspecified', name: 'Thrombocytopenia', implicit: (r) => `Platelets ${int(r, 50, 95)}, stable, no bleeding.`, explicit: () => 'Thrombocytopenia, monitored.' },
  { code: '5A1945Z', system: 'PCS', title: 'Respiratory Ventilation, 24-96 Consecutive Hours', name: 'Mechanical ventilation', implicit: (r) => `Intubated for hypoxemia and extubated after ${int(r, 30, 90)} hours.`, explicit: () => 'Mechanical ventilation for respiratory failure.' },
  { code: 'J9601', system: 'CM', title: 'Acute respiratory failure with hypoxia', name: 'Hypoxemic respiratory failure', implicit: (r) => `SpO2 ${int(r, 78, 86)}% on room air requiring high flow oxygen.`, explicit: () => 'Acute hypoxemic respiratory failure.' },
  { code: 'I214', system: 'CM', title: 'Non-ST elevation (NSTEMI) myocardial infarction', name: 'NSTEMI', implicit: (r) => `Troponin peaked at ${dec(r, 0.5, 4)} with ST depressions; heparin drip and cardiology consult.`, explicit: () => 'NSTEMI, medically managed.' },
  { code: '4A023N7', system: 'PCS', title: 'Measurement of Cardiac Sampling and Pressure, Left Heart, Percutaneous Approach', name: 'Left heart catheterization', implicit: () => 'Catheterization showed nonobstructive disease.', explicit: () => 'Left heart catheterization performed.' },
  { code: 'K8000', system: 'CM', title: 'Calculus of gallbladder with acute cholecystitis without obstruction', name: 'Acute cholecystitis', implicit: () => 'RUQ ultrasound with gallstones, wall thickening and a positive sonographic Murphy sign.', explicit: () => 'Acute calculous cholecystitis.' },
  { code: '0FT44ZZ', system: 'PCS', title: 'Resection of Gallbladder, Percutaneous Endoscopic Approach', name: 'Laparoscopic cholecystectomy', implicit: null, explicit: () => 'Underwent laparoscopic cholecystectomy.' },
  { code: 'E1165', system: 'CM', title: 'Type 2 diabetes mellitus with hyperglycemia', name: 'Type 2 diabetes with hyperglycemia', implicit: (r) => `Fingersticks in the ${int(r, 3, 4)}00s; glargine started.`, explicit: () => 'Type 2 diabetes with hyperglycemia.' },
  { code: 'N184', system: 'CM', title: 'Chronic kidney disease, stage 4 (severe)', name: 'CKD stage 4', implicit: (r) => `Baseline eGFR ${int(r, 16, 28)}.`, explicit: () => 'Chronic kidney disease stage 4.' },
  { code: 'I639', system: 'CM', title: 'Cerebral infarction, unspecified', name: 'Ischemic stroke', implicit: () => 'MRI showed restricted diffusion in the left MCA territory.', explicit: () => 'Acute ischemic stroke.' },
  { code: 'F329', system: 'CM', title: 'Major depressive disorder, single episode, unspecified', name: 'Depression', implicit: () => 'Low mood and anhedonia; sertraline continued.', explicit: () => 'Depression, stable.' },
  { code: 'R6521', system: 'CM', title: 'Severe sepsis with septic shock', name: 'Septic shock', implicit: (r) => `Lactate ${dec(r, 4, 7)} with hypotension requiring norepinephrine.`, explicit: () => 'Septic shock requiring pressors.' },
  { code: 'Z7901', system: 'CM', title: 'Long term (current) use of anticoagulants', name: 'Anticoagulation', implicit: () => 'Apixaban was continued.', explicit: () => 'On long-term anticoagulation.' },
  { code: 'S72001A', system: 'CM', title: 'Fracture of unspecified part of neck of right femur, initial encounter for closed fracture', name: 'Right hip fracture', implicit: () => 'Right hip x-ray after a fall showed a femoral neck fracture.', explicit: () => 'Right femoral neck fracture.' },
  { code: '0SR9019', system: 'PCS', title: 'Replacement of Right Hip Joint with Metal on Polyethylene Synthetic Substitute, Cemented, Open Approach', name: 'Right hip arthroplasty', implicit: null, explicit: () => 'Right total hip arthroplasty, cemented.' },
  { code: 'E440', system: 'CM', title: 'Moderate protein-calorie malnutrition', name: 'Moderate malnutrition', implicit: (r) => `Albumin ${dec(r, 2.2, 2.9)} with ${int(r, 6, 12)}% weight loss over three months.`, explicit: () => 'Moderate protein-calorie malnutrition, seen by nutrition.' },
  { code: 'K7030', system: 'CM', title: 'Alcoholic cirrhosis of liver without ascites', name: 'Alcoholic cirrhosis', implicit: () => 'Nodular liver on imaging in a patient with heavy alcohol use.', explicit: () => 'Alcoholic cirrhosis, compensated.' },
  { code: '0W9G3ZZ', system: 'PCS', title: 'Drainage of Peritoneal Cavity, Percutaneous Approach', name: 'Paracentesis', implicit: (r) => `${dec(r, 2, 6)} L of fluid were removed from the abdomen under ultrasound.`, explicit: () => 'Diagnostic and therapeutic paracentesis.' },
];

// Codes that are in the dictionaries but never assigned here: near neighbours of the assigned ones
// (laterality, acuity, type, BMI band), the material of hard negatives.
const UNASSIGNED: readonly (readonly [code: string, system: 'CM' | 'PCS', title: string])[] = [
  ['I5022', 'CM', 'Chronic systolic (congestive) heart failure'],
  ['I5033', 'CM', 'Acute on chronic diastolic (congestive) heart failure'],
  ['L03115', 'CM', 'Cellulitis of right lower limb'],
  ['E109', 'CM', 'Type 1 diabetes mellitus without complications'],
  ['E6609', 'CM', 'Other obesity due to excess calories'],
  ['Z6837', 'CM', 'Body mass index [BMI] 37.0-37.9, adult'],
  ['N183', 'CM', 'Chronic kidney disease, stage 3 (moderate)'],
  ['N170', 'CM', 'Acute kidney failure with tubular necrosis'],
  ['J9602', 'CM', 'Acute respiratory failure with hypercapnia'],
  ['J13', 'CM', 'Pneumonia due to Streptococcus pneumoniae'],
  ['I480', 'CM', 'Paroxysmal atrial fibrillation'],
  ['D500', 'CM', 'Iron deficiency anemia secondary to blood loss (chronic)'],
  ['E872', 'CM', 'Acidosis'],
  ['K8001', 'CM', 'Calculus of gallbladder with acute cholecystitis with obstruction'],
  ['S72002A', 'CM', 'Fracture of unspecified part of neck of left femur, initial encounter for closed fracture'],
  ['F10230', 'CM', 'Alcohol dependence with withdrawal, uncomplicated'],
  ['K7031', 'CM', 'Alcoholic cirrhosis of liver with ascites'],
  ['I213', 'CM', 'ST elevation (STEMI) myocardial infarction of unspecified site'],
  ['R6520', 'CM', 'Severe sepsis without septic shock'],
  ['0FT40ZZ', 'PCS', 'Resection of Gallbladder, Open Approach'],
  ['5A1955Z', 'PCS', 'Respiratory Ventilation, Greater than 96 Consecutive Hours'],
  ['30243N1', 'PCS', 'Transfusion of Nonautologous Red Blood Cells into Central Vein, Percutaneous Approach'],
  ['0SRB019', 'PCS', 'Replacement of Left Hip Joint with Metal on Polyethylene Synthetic Substitute, Cemented, Open Approach'],
  ['0W9G30Z', 'PCS', 'Drainage of Peritoneal Cavity with Drainage Device, Percutaneous Approach'],
];

const ICD9_DIAGNOSES: readonly (readonly [string, string])[] = [
  ['4019', 'Unspecified essential hypertension'],
  ['4280', 'Congestive heart failure, unspecified'],
  ['5849', 'Acute kidney failure, unspecified'],
  ['25000', 'Diabetes mellitus without mention of complication, type II or unspecified type, not stated as uncontrolled'],
];
const ICD9_PROCEDURES: readonly (readonly [string, string])[] = [
  ['9904', 'Transfusion of packed cells'],
  ['4513', 'Other endoscopy of small intestine'],
];

export interface SyntheticHospOptions {
  outDir: string;
  /** Admissions with notes and ICD-10 codes; a tenth more are added with ICD-9 codes only or no note. */
  admissions?: number;
  seed?: number;
  /** Also write the plain-CSV form of the same data (notes.csv, codes.csv, code-table.csv). */
  plain?: boolean;
}

export interface SyntheticHospFiles {
  diagnoses: string;
  procedures: string;
  icdDiagnoses: string;
  icdProcedures: string;
  notes: string;
  plainNotes?: string;
  plainCodes?: string;
  plainCodeTable?: string;
  /** Admissions eligible for a build (a discharge note and at least one ICD-10 code). */
  eligible: number;
  icd9Rows: number;
}

const cell = (value: string | number): string => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};
const csv = (rows: readonly (readonly (string | number)[])[]): string => rows.map((row) => row.map(cell).join(',')).join('\n') + '\n';

/** Writes the hosp tables and discharge.csv.gz (gzip like MIMIC's) into outDir. */
export function writeSyntheticHosp(options: SyntheticHospOptions): SyntheticHospFiles {
  const seed = options.seed ?? 7;
  const count = options.admissions ?? 300;
  const rng = seededRng(seed);
  fs.mkdirSync(options.outDir, { recursive: true });
  // Zipf-like prevalence: rank 1 is on ~40% of admissions, the last ranks on a few.
  const weights = CONCEPTS.map((_, rank) => 0.5 / Math.pow(rank + 1, 0.75));

  const diagnoses: (string | number)[][] = [['subject_id', 'hadm_id', 'seq_num', 'icd_code', 'icd_version']];
  const procedures: (string | number)[][] = [['subject_id', 'hadm_id', 'seq_num', 'chartdate', 'icd_code', 'icd_version']];
  const notes: (string | number)[][] = [['note_id', 'subject_id', 'hadm_id', 'note_type', 'note_seq', 'charttime', 'storetime', 'text']];
  const plainNotes: (string | number)[][] = [['note_id', 'admission_id', 'text']];
  const plainCodes: (string | number)[][] = [['admission_id', 'code', 'system']];
  let subject = 91_000_000;
  let hadm = 31_000_000;
  let eligible = 0;
  let icd9Rows = 0;
  const extra = Math.max(2, Math.round(count / 10));
  for (let index = 0; index < count + extra; index++) {
    subject += int(rng, 1, 300);
    hadm += int(rng, 1, 700);
    const date = `21${int(rng, 10, 90)}-${String(int(rng, 1, 12)).padStart(2, '0')}-${String(int(rng, 1, 28)).padStart(2, '0')}`;
    // The extra admissions are the ones a build must skip: ICD-9 coded, or without a discharge note.
    const role = index < count ? 'eligible' : index % 2 === 0 ? 'icd9' : 'no-note';
    if (role === 'icd9') {
      ICD9_DIAGNOSES.slice(0, int(rng, 1, ICD9_DIAGNOSES.length)).forEach(([code], i) => diagnoses.push([subject, hadm, i + 1, code, 9]));
      procedures.push([subject, hadm, 1, date, ICD9_PROCEDURES[0]![0], 9]);
      icd9Rows += diagnoses.filter((row) => row[1] === hadm).length + 1;
      notes.push([`${subject}-DS-1`, subject, hadm, 'DS', 1, `${date} 00:00:00`, `${date} 12:00:00`, noteText(rng, [])]);
      continue;
    }
    const chosen: Concept[] = [];
    const wanted = int(rng, 3, 8);
    for (let tries = 0; chosen.length < wanted && tries < 200; tries++) {
      const concept = CONCEPTS[Math.floor(rng() * CONCEPTS.length)]!;
      if (!chosen.includes(concept) && rng() < weights[CONCEPTS.indexOf(concept)]! * 2) chosen.push(concept);
    }
    let dx = 0;
    let px = 0;
    for (const concept of chosen) {
      if (concept.system === 'CM') diagnoses.push([subject, hadm, ++dx, concept.code, 10]);
      else procedures.push([subject, hadm, ++px, date, concept.code, 10]);
      plainCodes.push([hadm, concept.code, concept.system]);
    }
    if (role === 'no-note') continue;
    // Some admissions also carry a legacy ICD-9 row, which the build counts and skips.
    if (rng() < 0.1) {
      diagnoses.push([subject, hadm, ++dx, ICD9_DIAGNOSES[0]![0], 9]);
      icd9Rows++;
    }
    const documented = chosen.map((concept) => {
      const draw = rng();
      const how: Documentation = draw < 0.55 ? 'explicit' : draw < 0.85 && concept.implicit ? 'implicit' : 'absent';
      return { concept, how };
    });
    const text = noteText(rng, documented);
    notes.push([`${subject}-DS-${1}`, subject, hadm, 'DS', 1, `${date} 00:00:00`, `${date} 12:00:00`, text]);
    plainNotes.push([`${subject}-DS-1`, hadm, text]);
    eligible++;
  }

  const dictionary = (system: 'CM' | 'PCS', icd9: readonly (readonly [string, string])[]) => [
    ['icd_code', 'icd_version', 'long_title'],
    ...icd9.map(([code, title]) => [code, 9, title]),
    ...CONCEPTS.filter((c) => c.system === system).map((c) => [c.code, 10, c.title]),
    ...UNASSIGNED.filter(([, s]) => s === system).map(([code, , title]) => [code, 10, title]),
  ];
  const write = (name: string, rows: (string | number)[][], gzip = true): string => {
    const file = path.join(options.outDir, name);
    const text = csv(rows);
    fs.writeFileSync(file, gzip ? zlib.gzipSync(text) : text);
    return file;
  };
  const files: SyntheticHospFiles = {
    diagnoses: write('diagnoses_icd.csv.gz', diagnoses),
    procedures: write('procedures_icd.csv.gz', procedures),
    icdDiagnoses: write('d_icd_diagnoses.csv.gz', dictionary('CM', ICD9_DIAGNOSES)),
    icdProcedures: write('d_icd_procedures.csv.gz', dictionary('PCS', ICD9_PROCEDURES)),
    notes: write('discharge.csv.gz', notes),
    eligible,
    icd9Rows,
  };
  if (options.plain) {
    files.plainNotes = write('notes.csv', plainNotes, false);
    files.plainCodes = write('codes.csv', plainCodes, false);
    files.plainCodeTable = write(
      'code-table.csv',
      [['code', 'system', 'description'], ...CONCEPTS.map((c) => [c.code, c.system, c.title]), ...UNASSIGNED.map(([code, system, title]) => [code, system, title])],
      false,
    );
  }
  return files;
}

type Documentation = 'explicit' | 'implicit' | 'absent';

/** A discharge summary in MIMIC's layout whose hospital course documents the codes as drawn. */
function noteText(rng: Rng, documented: readonly { concept: Concept; how: Documentation }[]): string {
  const lines: string[] = [' ', 'Name:  ___                 Unit No:   ___', ' ', 'Admission Date:  ___              Discharge Date:   ___', ' '];
  lines.push(`Date of Birth:  ___             Sex:   ${pick(rng, ['M', 'F'])}`, ' ', `Service: ${pick(rng, ['MEDICINE', 'SURGERY', 'CARDIOLOGY', 'ORTHOPAEDICS'])}`, ' ');
  lines.push('Allergies: ', pick(rng, ['No Known Allergies / Adverse Drug Reactions', 'Penicillins', 'lisinopril']), ' ');
  lines.push('Chief Complaint:', pick(rng, ['Shortness of breath', 'Weakness', 'Abdominal pain', 'Fall', 'Fever']), ' ');
  lines.push('History of Present Illness:');
  lines.push(`___ year old ${pick(rng, ['man', 'woman'])} presenting with ${int(rng, 1, 7)} days of ${pick(rng, ['malaise', 'poor oral intake', 'worsening dyspnea', 'pain'])}.`);
  lines.push(`In the ED, vitals were ${int(rng, 97, 101)} ${int(rng, 70, 120)} ${int(rng, 100, 160)}/${int(rng, 50, 90)} ${int(rng, 14, 24)} ${int(rng, 90, 99)}% RA.`, ' ');
  lines.push('Brief Hospital Course:');
  for (const { concept, how } of documented) {
    if (how === 'absent') continue;
    lines.push(' ');
    lines.push(how === 'explicit' ? `# ${concept.name}: ${concept.explicit(rng)}` : `# ${pick(rng, ['Active issue', 'Course', 'Other'])}: ${concept.implicit!(rng)}`);
  }
  lines.push(' ', 'Discharge Medications:', '1. Acetaminophen 1000 mg PO Q8H ', `2. ${pick(rng, ['Atorvastatin 40 mg PO QPM', 'Pantoprazole 40 mg PO Q24H', 'Apixaban 5 mg PO BID'])} `);
  lines.push(' ', 'Discharge Disposition:', pick(rng, ['Home', 'Home With Service', 'Extended Care']), ' ', 'Discharge Diagnosis:');
  const named = documented.filter((d) => d.how === 'explicit').map((d) => d.concept.name);
  lines.push(...(named.length > 0 ? named : ['See hospital course']));
  lines.push(' ', 'Discharge Condition:', 'Mental Status: Clear and coherent.', ' ', 'Followup Instructions:', '___');
  return `${lines.join('\n')}\n`;
}
