/**
 * Generates a MIMIC-IV-Note-sized synthetic discharge.csv.gz (plus a matching dataset_raw.csv) for
 * import and search benchmarks. All text is assembled from phrase banks written for this project.
 *
 *   npx tsx bench/generate-notes.ts --out DIR --mb 200 [--seed 1] [--annotated 400]
 *
 * The notes file is streamed through gzip one batch of rows at a time, so memory stays flat no
 * matter how many megabytes are requested.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';

export interface GenerateOptions {
  outDir: string;
  /** Approximate UTF-8 bytes of note text to produce (CSV quoting and gzip not counted). */
  textBytes: number;
  seed?: number;
  /** How many notes dataset_raw.csv refers to (clamped to the number of notes). */
  annotatedNotes?: number;
}

export interface GenerateResult {
  notesPath: string;
  annotationsPath: string;
  notes: number;
  textBytes: number;
  pairs: number;
}

export type Rng = () => number;

/** sfc32 seeded through splitmix32: fast, good enough statistically, and identical on every platform. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const decimal = (rng: Rng, min: number, max: number, digits = 1): string => (min + rng() * (max - min)).toFixed(digits);

interface Problem {
  code: string;
  desc: string;
  /** How the problem is named in the note's headings and diagnosis list. */
  name: string;
  course: Array<(rng: Rng) => string>;
}

// Diagnoses and procedures the notes can be about; annotations draw positives from the problems a
// note contains and negatives from the ones it does not.
const PROBLEMS: readonly Problem[] = [
  { code: 'I50.23', desc: 'Acute on chronic systolic (congestive) heart failure', name: 'Acute on chronic systolic heart failure', course: [
    (r) => `Presented with orthopnea, JVP to the angle of the jaw and ${int(r, 2, 4)}+ edema, about ${int(r, 3, 9)} kg above dry weight.`,
    (r) => `Diuresed with IV furosemide ${pick(r, ['40', '80', '120'])} mg BID with a net negative ${decimal(r, 2, 8)} L, then transitioned to torsemide ${pick(r, ['20', '40', '60'])} mg daily.`,
  ] },
  { code: 'N17.9', desc: 'Acute kidney failure, unspecified', name: 'Acute kidney injury', course: [
    (r) => `Creatinine rose from a baseline of ${decimal(r, 0.7, 1.3)} to a peak of ${decimal(r, 2, 4.5)}, felt to be prerenal, and improved with IV fluids.`,
    () => 'Nephrotoxins were held and medications were renally dosed; urine sediment was bland.',
  ] },
  { code: 'D62', desc: 'Acute posthemorrhagic anemia', name: 'Acute blood loss anemia', course: [
    (r) => `Hgb fell from ${decimal(r, 11, 14)} to ${decimal(r, 6.2, 7.8)} and ${r() < 0.5 ? 'she' : 'he'} was transfused ${int(r, 1, 3)} units of packed red blood cells with an appropriate rise.`,
    () => 'Hemoglobin remained stable for more than 24 hours before discharge.',
  ] },
  { code: 'E87.1', desc: 'Hypo-osmolality and hyponatremia', name: 'Hyponatremia', course: [
    (r) => `Na ${int(r, 118, 129)} on admission with a serum osmolality of ${int(r, 248, 270)}, felt to be hypovolemic; improved with normal saline.`,
    () => 'Sodium was corrected by less than 8 mEq/L in 24 hours.',
  ] },
  { code: 'J18.9', desc: 'Pneumonia, unspecified organism', name: 'Community acquired pneumonia', course: [
    (r) => `CXR with a ${pick(r, ['right lower lobe', 'left lower lobe', 'right middle lobe'])} consolidation; treated with ceftriaxone and azithromycin, then cefpodoxime to complete ${int(r, 5, 7)} days.`,
    () => 'Blood and sputum cultures had no growth; urine Legionella antigen was negative.',
  ] },
  { code: 'I48.91', desc: 'Unspecified atrial fibrillation', name: 'Atrial fibrillation', course: [
    (r) => `Rates to the ${int(r, 110, 150)}s on admission, controlled with metoprolol tartrate ${pick(r, ['12.5', '25', '50'])} mg q6h, later consolidated to metoprolol succinate.`,
    (r) => `CHA2DS2-VASc ${int(r, 2, 6)}; continued apixaban 5 mg BID.`,
  ] },
  { code: 'E11.65', desc: 'Type 2 diabetes mellitus with hyperglycemia', name: 'Type 2 diabetes with hyperglycemia', course: [
    (r) => `A1c ${decimal(r, 8.5, 12.5)} with fingersticks in the ${int(r, 2, 4)}00s; started on glargine ${int(r, 10, 30)} units at bedtime with a humalog sliding scale.`,
    () => 'Seen by the diabetes educator and taught insulin administration.',
  ] },
  { code: 'N39.0', desc: 'Urinary tract infection, site not specified', name: 'Urinary tract infection', course: [
    (r) => `UA with ${int(r, 20, 180)} WBC, positive leukocyte esterase and nitrite; urine culture grew ${pick(r, ['E. coli', 'Klebsiella pneumoniae', 'Proteus mirabilis'])}.`,
    (r) => `Treated with ceftriaxone, narrowed to ${pick(r, ['cephalexin', 'nitrofurantoin', 'ciprofloxacin'])} to complete a ${int(r, 5, 7)} day course.`,
  ] },
  { code: 'K92.2', desc: 'Gastrointestinal hemorrhage, unspecified', name: 'Gastrointestinal bleed', course: [
    () => 'Presented with melena and a BUN/Cr ratio above 30; started on a pantoprazole drip.',
    () => 'EGD showed no active bleeding source; colonoscopy deferred to the outpatient setting.',
  ] },
  { code: 'E87.6', desc: 'Hypokalemia', name: 'Hypokalemia', course: [
    (r) => `K ${decimal(r, 2.6, 3.3)} in the setting of diuresis; repleted with oral and IV KCl and magnesium.`,
  ] },
  { code: 'F10.239', desc: 'Alcohol dependence with withdrawal, unspecified', name: 'Alcohol withdrawal', course: [
    (r) => `Last drink ${int(r, 12, 48)} hours before admission; CIWA scores up to ${int(r, 12, 24)}, treated with a diazepam taper.`,
    () => 'Started thiamine, folate and a multivitamin; social work provided resources for outpatient treatment.',
  ] },
  { code: 'J44.1', desc: 'Chronic obstructive pulmonary disease with (acute) exacerbation', name: 'COPD exacerbation', course: [
    () => 'Increased dyspnea and sputum purulence; treated with prednisone 40 mg for 5 days, azithromycin and scheduled nebulizers.',
    () => 'Returned to baseline oxygen requirement by discharge.',
  ] },
  { code: 'L03.116', desc: 'Cellulitis of left lower limb', name: 'Left lower extremity cellulitis', course: [
    (r) => `Erythema of the left shin marked on admission, receding on IV ${pick(r, ['cefazolin', 'vancomycin'])}; transitioned to oral cephalexin.`,
    () => 'Lower extremity duplex was negative for DVT.',
  ] },
  { code: 'E66.9', desc: 'Obesity, unspecified', name: 'Obesity', course: [
    (r) => `BMI ${decimal(r, 30.5, 39.5)}; counseled on diet and exercise and referred to the weight management clinic.`,
  ] },
  { code: 'G93.41', desc: 'Metabolic encephalopathy', name: 'Toxic metabolic encephalopathy', course: [
    () => 'Confused and inattentive on admission, attributed to infection and dehydration; mental status returned to baseline as the underlying illness was treated.',
  ] },
  { code: 'D69.6', desc: 'Thrombocytopenia, unspecified', name: 'Thrombocytopenia', course: [
    (r) => `Platelets ${int(r, 45, 95)} on admission, stable; no bleeding and no transfusion required.`,
  ] },
  { code: '30233N1', desc: 'Transfusion of Nonautologous Red Blood Cells into Peripheral Vein, Percutaneous Approach', name: 'Transfusion', course: [
    (r) => `Received ${int(r, 1, 3)} units of pRBC through a peripheral IV for symptomatic anemia.`,
  ] },
  { code: '0DJ08ZZ', desc: 'Inspection of Upper Intestinal Tract, Via Natural or Artificial Opening Endoscopic', name: 'EGD', course: [
    () => 'Upper endoscopy showed mild gastritis without ulceration; biopsies were taken.',
  ] },
  { code: '5A1945Z', desc: 'Respiratory Ventilation, 24-96 Consecutive Hours', name: 'Mechanical ventilation', course: [
    (r) => `Intubated for hypoxemic respiratory failure and extubated after ${int(r, 30, 90)} hours on the ventilator.`,
  ] },
];

const SERVICES = ['MEDICINE', 'SURGERY', 'CARDIOLOGY', 'ORTHOPAEDICS', 'NEUROLOGY', 'OBSTETRICS/GYNECOLOGY', 'PSYCHIATRY', 'NEUROSURGERY', 'UROLOGY'];
const ALLERGIES = [
  'No Known Allergies / Adverse Drug Reactions', 'Patient recorded as having No Known Allergies to Drugs', 'Penicillins',
  'Sulfa (Sulfonamide Antibiotics) / codeine', 'lisinopril', 'Iodinated Contrast Media - IV Dye', 'Morphine / Bactrim',
];
const COMPLAINTS = ['Shortness of breath', 'Chest pain', 'Abdominal pain', 'Fever, chills', 'Fall', 'Weakness', 'Confusion', 'Leg swelling', 'Black stools', 'Nausea and vomiting'];
const PROCEDURES = ['None', 'None', 'None', '___: EGD', '___: Paracentesis', '___: PICC line placement', '___: Laparoscopic cholecystectomy', '___: Cardiac catheterization'];
const HISTORY = ['Hypertension', 'Hyperlipidemia', 'Type 2 diabetes mellitus', 'Coronary artery disease s/p PCI ___', 'Chronic kidney disease stage 3a', 'GERD', 'Hypothyroidism', 'Osteoarthritis', 'Depression', 'Obstructive sleep apnea, on CPAP', 'Gout', 'BPH', 'Atrial fibrillation on apixaban', 'Remote tobacco use, quit ___ years ago'];
const DRUGS = [
  ['Atorvastatin', '40 mg PO QPM'], ['Lisinopril', '20 mg PO DAILY'], ['MetFORMIN (Glucophage)', '1000 mg PO BID'], ['Furosemide', '40 mg PO DAILY'],
  ['Metoprolol Succinate XL', '50 mg PO DAILY'], ['Apixaban', '5 mg PO BID'], ['Levothyroxine Sodium', '75 mcg PO DAILY'], ['Pantoprazole', '40 mg PO Q24H'],
  ['amLODIPine', '5 mg PO DAILY'], ['Tamsulosin', '0.4 mg PO QHS'], ['Sertraline', '50 mg PO DAILY'], ['Aspirin', '81 mg PO DAILY'],
  ['Docusate Sodium', '100 mg PO BID'], ['Senna', '8.6 mg PO BID:PRN Constipation'], ['Acetaminophen', '1000 mg PO Q8H'], ['Glargine', '20 Units Bedtime'],
];
const OPENERS = [
  (r: Rng) => `${pick(r, ['Mr.', 'Ms.'])} ___ is a ___ year old ${pick(r, ['man', 'woman'])} with ${pick(r, HISTORY).toLowerCase()}, ${pick(r, HISTORY).toLowerCase()} and ${pick(r, HISTORY).toLowerCase()} who presents with ${int(r, 1, 14)} days of ${pick(r, COMPLAINTS).toLowerCase()}.`,
  (r: Rng) => `___ year old with a history of ${pick(r, HISTORY).toLowerCase()} and ${pick(r, HISTORY).toLowerCase()}, sent in from ${pick(r, ['clinic', 'rehab', 'home', 'an outside hospital'])} for ${pick(r, COMPLAINTS).toLowerCase()}.`,
];
const PROSE = [
  (r: Rng) => `Denies ${pick(r, ['chest pain', 'fevers', 'dysuria', 'hematochezia', 'headache'])}, ${pick(r, ['palpitations', 'cough', 'diarrhea', 'syncope'])} or ${pick(r, ['rash', 'weight loss', 'leg swelling'])}.`,
  (r: Rng) => `In the ED, initial VS: ${decimal(r, 97, 101.5)} ${int(r, 90, 170)}/${int(r, 50, 100)} ${int(r, 60, 125)} ${int(r, 14, 28)} ${int(r, 88, 100)}% RA.`,
  (r: Rng) => `${pick(r, ['Her', 'His'])} ${pick(r, ['daughter', 'son', 'wife', 'husband'])} reports that ${pick(r, ['she', 'he'])} "has not been ${pick(r, ['eating', 'sleeping', 'herself', 'himself'])}" for the past ${pick(r, ['few days', 'week', 'month'])}.`,
  (r: Rng) => `Labs were notable for WBC ${decimal(r, 3, 22)}, Hgb ${decimal(r, 6.5, 15)}, Cr ${decimal(r, 0.6, 4)} and lactate ${decimal(r, 0.8, 5)}.`,
  (r: Rng) => `${pick(r, ['CXR', 'CT abdomen/pelvis', 'RUQ ultrasound', 'CT head'])} showed ${pick(r, ['no acute process', 'a small left pleural effusion', 'cholelithiasis without cholecystitis', 'mild atelectasis, e.g. at the bases', 'no intracranial hemorrhage'])}.`,
  (r: Rng) => `Given ${pick(r, ['1L NS', 'ceftriaxone 1 g IV', 'IV furosemide 40 mg', 'aspirin 325 mg', 'ondansetron 4 mg IV'])} and ${pick(r, ['morphine 4 mg IV', 'acetaminophen 1 g', 'pantoprazole 40 mg IV', 'lorazepam 1 mg'])}, then admitted to ${pick(r, ['medicine', 'the floor', 'the ICU', 'cardiology'])}.`,
  (r: Rng) => `Temperature peaked at ${decimal(r, 99, 103)}°F on hospital day ${int(r, 1, 4)}, and blood cultures were drawn.`,
  (r: Rng) => `Physical therapy evaluated the patient and recommended ${pick(r, ['home with services', 'rehab', 'home without services'])}, i.e. ${pick(r, ['a rolling walker', 'no assistive device', 'a cane'])} for ambulation.`,
  (r: Rng) => `Per the patient, "I just didn't feel right," and ${pick(r, ['she', 'he'])} came in after ${pick(r, ['a neighbor', 'the visiting nurse', 'family'])} urged ${pick(r, ['her', 'him'])} to, c/b ${pick(r, ['poor PO intake', 'falls at home', 'missed medications'])}.`,
];

/** Hard-wraps a paragraph MIMIC style: the breaking space stays on the line, giving " \n". */
function wrapInto(lines: string[], paragraph: string, width: number): void {
  let rest = paragraph;
  while (rest.length > width) {
    let breakAt = rest.lastIndexOf(' ', width);
    if (breakAt <= 0) breakAt = rest.indexOf(' ', width);
    if (breakAt <= 0 || breakAt === rest.length - 1) break;
    lines.push(rest.slice(0, breakAt + 1));
    rest = rest.slice(breakAt + 1);
  }
  lines.push(paragraph.length > width ? `${rest} ` : rest);
}

function labLines(rng: Rng, count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const time = `${String(int(rng, 1, 12)).padStart(2, '0')}:${String(int(rng, 0, 59)).padStart(2, '0')}${pick(rng, ['AM', 'PM'])}`;
    const flag = () => (rng() < 0.3 ? '*' : '');
    switch (int(rng, 0, 2)) {
      case 0:
        lines.push(`___ ${time} BLOOD WBC-${decimal(rng, 2, 20)}${flag()} RBC-${decimal(rng, 2.5, 5.5, 2)}${flag()} Hgb-${decimal(rng, 6, 16)}${flag()} Hct-${decimal(rng, 20, 48)}${flag()} MCV-${int(rng, 78, 104)} MCH-${decimal(rng, 26, 34)} MCHC-${decimal(rng, 30, 36)} RDW-${decimal(rng, 11, 18)} Plt ${rng() < 0.5 ? '___' : `Ct-${int(rng, 40, 450)}`}`);
        break;
      case 1:
        lines.push(`___ ${time} BLOOD Glucose-${int(rng, 70, 350)}${flag()} UreaN-${int(rng, 6, 90)}${flag()} Creat-${decimal(rng, 0.5, 5)}${flag()} Na-${int(rng, 122, 148)} K-${decimal(rng, 2.8, 6.2)} Cl-${int(rng, 90, 112)} HCO3-${int(rng, 14, 32)} AnGap-${int(rng, 8, 22)}`);
        break;
      default:
        lines.push(`___ ${time} BLOOD ALT-${int(rng, 8, 300)} AST-${int(rng, 10, 300)} AlkPhos-${int(rng, 40, 400)} TotBili-${decimal(rng, 0.2, 6)}`);
    }
  }
  return lines;
}

interface GeneratedNote {
  text: string;
  problems: Problem[];
}

function generateNote(rng: Rng, targetChars: number): GeneratedNote {
  const width = int(rng, 68, 80);
  const lines: string[] = [' '];
  const blank = () => lines.push(' ');
  const section = (title: string) => {
    blank();
    lines.push(title);
  };
  const paragraph = (sentences: number, extra?: string) => {
    const parts: string[] = extra ? [extra] : [];
    for (let i = 0; i < sentences; i++) parts.push(pick(rng, PROSE)(rng));
    wrapInto(lines, parts.join(' '), width);
  };
  const problemCount = int(rng, 2, 6);
  const problems: Problem[] = [];
  while (problems.length < problemCount) {
    const candidate = pick(rng, PROBLEMS);
    if (!problems.includes(candidate)) problems.push(candidate);
  }

  lines.push(`Name:  ___                 Unit No:   ___`);
  blank();
  lines.push('Admission Date:  ___              Discharge Date:   ___');
  blank();
  lines.push(`Date of Birth:  ___             Sex:   ${pick(rng, ['M', 'F'])}`);
  section(`Service: ${pick(rng, SERVICES)}`);
  section('Allergies: ');
  lines.push(pick(rng, ALLERGIES));
  section('Attending: ___.');
  section('Chief Complaint:');
  lines.push(pick(rng, COMPLAINTS));
  section('Major Surgical or Invasive Procedure:');
  lines.push(pick(rng, PROCEDURES));
  section('History of Present Illness:');
  paragraph(int(rng, 3, 7), pick(rng, OPENERS)(rng));
  blank();
  paragraph(int(rng, 2, 5));
  section('Past Medical History:');
  for (let i = int(rng, 3, 8); i > 0; i--) lines.push(pick(rng, HISTORY));
  section('Social History:');
  lines.push('___');
  lines.push('Family History:');
  lines.push(pick(rng, ['Noncontributory', 'Mother with hypertension, father with MI in his ___.', 'No family history of cancer, clotting or bleeding disorders.']));
  section('Physical Exam:');
  lines.push('ADMISSION PHYSICAL EXAM:');
  lines.push(`VS: ${decimal(rng, 97, 101)} ${int(rng, 90, 170)}/${int(rng, 50, 100)} ${int(rng, 55, 120)} ${int(rng, 12, 26)} ${int(rng, 90, 100)}RA`);
  lines.push(`General: ${pick(rng, ['NAD, A&Ox3', 'uncomfortable appearing', 'elderly, frail, NAD'])}`);
  lines.push(`CV: ${pick(rng, ['RRR, no m/r/g', 'irregularly irregular, 2/6 SEM', 'tachycardic, regular'])}`);
  lines.push(`Lungs: ${pick(rng, ['CTAB', 'crackles at the bases', 'diffuse expiratory wheezes'])}`);
  lines.push(`Abd: ${pick(rng, ['soft, NT/ND, +BS', 'distended, +fluid wave', 'TTP in the RUQ, no rebound'])}`);
  lines.push(`Ext: ${pick(rng, ['no edema', '2+ pitting edema to the knees', 'warm, well perfused'])}`);
  section('Pertinent Results:');
  lines.push('ADMISSION LABS:');
  lines.push(...labLines(rng, int(rng, 3, 8)));
  section('Brief Hospital Course:');
  paragraph(int(rng, 1, 3), `${pick(rng, ['Mr.', 'Ms.'])} ___ is a ___ year old admitted with ${problems[0].name.toLowerCase()}.`);
  for (const problem of problems) {
    blank();
    const sentences = problem.course.map((sentence) => sentence(rng)).join(' ');
    wrapInto(lines, `# ${problem.name}: ${sentences}`, width);
  }

  // Filler keeps each note near its drawn length, which gives the long tail its size.
  let length = lines.reduce((sum, line) => sum + line.length + 1, 0);
  const tailEstimate = 1400;
  let day = 1;
  while (length + tailEstimate < targetChars) {
    const before = lines.length;
    blank();
    if (rng() < 0.3) lines.push(...labLines(rng, int(rng, 2, 6)));
    else paragraph(int(rng, 3, 8), `On hospital day ${day++}, the patient ${pick(rng, ['was seen on rounds', 'remained stable', 'had an uneventful night', 'was reassessed'])}.`);
    for (let i = before; i < lines.length; i++) length += lines[i].length + 1;
  }

  section('Medications on Admission:');
  const drugs = int(rng, 3, 10);
  for (let i = 1; i <= drugs; i++) {
    const [drug, dose] = pick(rng, DRUGS);
    lines.push(`${i}. ${drug} ${dose} `);
  }
  section('Discharge Medications:');
  for (let i = 1; i <= drugs; i++) {
    const [drug, dose] = pick(rng, DRUGS);
    lines.push(`${i}. ${drug} ${dose} `);
  }
  section('Discharge Disposition:');
  lines.push(pick(rng, ['Home', 'Home With Service', 'Extended Care']));
  section('Discharge Diagnosis:');
  lines.push('PRIMARY:');
  for (const problem of problems) lines.push(problem.name);
  section('Discharge Condition:');
  lines.push('Mental Status: Clear and coherent.');
  lines.push('Level of Consciousness: Alert and interactive.');
  lines.push(`Activity Status: ${pick(rng, ['Ambulatory - Independent.', 'Ambulatory - requires assistance or aid (walker or cane).'])}`);
  section('Discharge Instructions:');
  lines.push(`Dear ${pick(rng, ['Mr.', 'Ms.'])} ___,`);
  blank();
  wrapInto(lines, `It was a pleasure taking care of you at ___. You were admitted for ${problems[0].name.toLowerCase()}. Please take your medications as prescribed, keep your follow up appointments, and call your doctor for fever, chest pain, shortness of breath, or anything else that concerns you.`, width);
  blank();
  lines.push('Sincerely,');
  lines.push('Your ___ Team');
  section('Followup Instructions:');
  lines.push('___');
  return { text: lines.join('\n') + '\n', problems };
}

/** Python-style (code point) index of a UTF-16 position. */
function codePointOffset(text: string, utf16Index: number): number {
  let surrogatePairs = 0;
  for (let i = 0; i < utf16Index; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      surrogatePairs++;
      i++;
    }
  }
  return utf16Index - surrogatePairs;
}

/** Draws note lengths: ~10k characters on average with a tail reaching about 50k. */
function drawNoteLength(rng: Rng): number {
  if (rng() < 0.03) return int(rng, 20_000, 52_000);
  // Sum of uniforms approximates a normal for the log-length.
  const normal = (rng() + rng() + rng() + rng() - 2) * 1.7;
  return Math.round(Math.min(60_000, Math.max(3_000, 8_800 * Math.exp(0.38 * normal))));
}

interface AnnotationRow {
  taskId: string;
  code: string;
  desc: string;
  gold: boolean;
  reasoning: string;
  spans: Array<[number, number]>;
}

function annotate(rng: Rng, taskId: string, note: GeneratedNote): AnnotationRow[] {
  const rows: AnnotationRow[] = [];
  const positiveFor = (problem: Problem) => {
    const heading = note.text.indexOf(`# ${problem.name}: `);
    // End of the first sentence: a period followed by whitespace, so decimals like "2.9" do not count.
    const sentenceEnd = /\.(?=\s)/g;
    sentenceEnd.lastIndex = heading + problem.name.length + 4;
    const headingEnd = (sentenceEnd.exec(note.text)?.index ?? -1) + 1;
    const diagnosisStart = note.text.indexOf(`\n${problem.name}\n`, note.text.indexOf('Discharge Diagnosis:')) + 1;
    if (heading < 0 || headingEnd <= 0 || diagnosisStart <= 0) throw new Error(`generator lost the evidence for ${problem.name}`);
    // Span 1 starts after "# " and runs to the end of the first sentence, mid-line and across wraps, as annotators mark them.
    rows.push({
      taskId,
      code: problem.code,
      desc: problem.desc,
      gold: true,
      reasoning: `${problem.name} is documented in the hospital course and discharge diagnoses`,
      spans: [
        [codePointOffset(note.text, heading + 2), codePointOffset(note.text, headingEnd)],
        [codePointOffset(note.text, diagnosisStart), codePointOffset(note.text, diagnosisStart + problem.name.length)],
      ],
    });
  };
  const [first, second] = note.problems;
  positiveFor(first);
  if (second && rng() < 0.3) positiveFor(second);
  if (rng() < 0.75) {
    const absent = PROBLEMS.filter((problem) => !note.problems.includes(problem));
    const negative = pick(rng, absent);
    rows.push({ taskId, code: negative.code, desc: negative.desc, gold: false, reasoning: `No documentation of ${negative.name.toLowerCase()} in the note`, spans: [] });
  }
  return rows;
}

const csvField = (value: string): string => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export async function generateMimicLike(opts: GenerateOptions): Promise<GenerateResult> {
  const seed = opts.seed ?? 1;
  const lengthRng = createRng(seed);
  const targets: number[] = [];
  for (let total = 0; total < opts.textBytes; ) {
    const next = drawNoteLength(lengthRng);
    targets.push(next);
    total += next;
  }
  // Annotated notes are spread through the whole file (one per stride, jittered) so imports must scan to the end.
  const annotatedCount = Math.min(opts.annotatedNotes ?? 400, targets.length);
  const annotated = new Set<number>();
  const pickRng = createRng(seed ^ 0x5bd1e995);
  const stride = targets.length / Math.max(annotatedCount, 1);
  for (let i = 0; i < annotatedCount; i++) annotated.add(Math.min(targets.length - 1, Math.floor(i * stride + pickRng() * stride)));

  fs.mkdirSync(opts.outDir, { recursive: true });
  const notesPath = path.join(opts.outDir, 'discharge.csv.gz');
  const annotationsPath = path.join(opts.outDir, 'dataset_raw.csv');
  const gzip = zlib.createGzip({ level: 1 });
  const file = fs.createWriteStream(notesPath);
  const finished = new Promise<void>((resolve, reject) => {
    file.on('finish', resolve);
    file.on('error', reject);
    gzip.on('error', reject);
  });
  gzip.pipe(file);

  const textRng = createRng(seed ^ 0x27d4eb2f);
  const annotationRows: AnnotationRow[] = [];
  let batch: string[] = ['note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text\n'];
  let batchChars = 0;
  let textBytes = 0;
  let subjectId = 90_000_000;
  let noteSeq = 0;
  let hadmId = 30_000_000;
  const flush = async () => {
    if (!gzip.write(batch.join(''))) await once(gzip, 'drain');
    batch = [];
    batchChars = 0;
  };

  for (let index = 0; index < targets.length; index++) {
    // MIMIC numbers a subject's discharge notes across admissions; most subjects have one or two.
    if (noteSeq === 0 || textRng() < 0.6) {
      subjectId += int(textRng, 1, 400);
      noteSeq = int(textRng, 1, 25);
    } else {
      noteSeq += int(textRng, 1, 3);
    }
    hadmId += int(textRng, 1, 900);
    const note = generateNote(textRng, targets[index]);
    textBytes += Buffer.byteLength(note.text);
    const year = 2110 + int(textRng, 0, 90);
    const day = `${year}-${String(int(textRng, 1, 12)).padStart(2, '0')}-${String(int(textRng, 1, 28)).padStart(2, '0')}`;
    const storetime = `${day} ${String(int(textRng, 8, 20)).padStart(2, '0')}:${String(int(textRng, 0, 59)).padStart(2, '0')}:00`;
    const row = `${subjectId}-DS-${noteSeq},${subjectId},${hadmId},DS,${noteSeq},${day} 00:00:00,${storetime},"${note.text.replace(/"/g, '""')}"\n`;
    batch.push(row);
    batchChars += row.length;
    if (annotated.has(index)) annotationRows.push(...annotate(textRng, `${subjectId}_${hadmId}`, note));
    if (batchChars >= 4_000_000) await flush();
  }
  await flush();
  gzip.end();
  await finished;

  const dataset = ['task_id,code,desc,gold,reasoning_summary,evidence_spans\n'];
  for (const row of annotationRows) {
    const spans = `[${row.spans.map(([start, end]) => `(${start}, ${end})`).join(', ')}]`;
    dataset.push([row.taskId, row.code, csvField(row.desc), row.gold ? 'True' : 'False', csvField(row.reasoning), csvField(spans)].join(',') + '\n');
  }
  fs.writeFileSync(annotationsPath, dataset.join(''));
  return { notesPath, annotationsPath, notes: targets.length, textBytes, pairs: annotationRows.length };
}

function parseArgs(argv: string[]): GenerateOptions {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const outDir = value('--out');
  const megabytes = Number(value('--mb') ?? '200');
  if (!outDir || !Number.isFinite(megabytes) || megabytes <= 0) {
    throw new Error('usage: npx tsx bench/generate-notes.ts --out DIR [--mb 200] [--seed 1] [--annotated 400]');
  }
  const seed = value('--seed');
  const annotated = value('--annotated');
  return {
    outDir,
    textBytes: Math.round(megabytes * 1_000_000),
    seed: seed === undefined ? undefined : Number(seed),
    annotatedNotes: annotated === undefined ? undefined : Number(annotated),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const started = Date.now();
  generateMimicLike(parseArgs(process.argv.slice(2)))
    .then((result) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`${result.notes} notes, ${(result.textBytes / 1e6).toFixed(1)} MB of text, ${result.pairs} pairs in ${seconds}s`);
      console.log(`  ${result.notesPath}\n  ${result.annotationsPath}`);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
