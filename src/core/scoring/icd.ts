/**
 * ICD-10 code classification for breakdown tables.
 *
 * MedicalBench's `code` column holds MIMIC-IV codes, which are stored without
 * dots and without an ICD version flag, so CM and PCS must be told apart from
 * the code's shape alone. The rule (see `codeKind`) relies on three facts:
 *   1. An ICD-10-CM code always starts with a letter followed by a digit.
 *   2. An ICD-10-PCS code is exactly 7 characters from 0-9 and A-Z minus I and O,
 *      and its first character (the section) is one of 0-9, B, C, D, F, G, H, X.
 *   3. Only a few CM chapters have 7-character codes (those taking a 7th-character
 *      extension: S/T injuries, O pregnancy, M fractures, R coma scale, H glaucoma,
 *      V-Y external causes); none of them is in chapters B, C, D or F.
 */

export type CodeKind = 'CM' | 'PCS' | 'unknown';

export interface CmChapter {
  chapter: number;
  /** Roman numeral, as printed in the ICD-10-CM tabular list. */
  id: string;
  title: string;
  /** Inclusive category range, e.g. 'I00-I99'. */
  range: string;
}

export interface PcsSection {
  section: string;
  title: string;
}

// ICD-10-CM FY2024 tabular list chapters. Bounds are 3-character categories
// compared as strings: alphanumeric categories such as C4A, D3A, M1A, O9A and Z3A
// sort correctly because digits precede letters in ASCII.
const CM_CHAPTER_ROWS: readonly [first: string, last: string, title: string][] = [
  ['A00', 'B99', 'Certain infectious and parasitic diseases'],
  ['C00', 'D49', 'Neoplasms'],
  ['D50', 'D89', 'Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism'],
  ['E00', 'E89', 'Endocrine, nutritional and metabolic diseases'],
  ['F01', 'F99', 'Mental, behavioral and neurodevelopmental disorders'],
  ['G00', 'G99', 'Diseases of the nervous system'],
  ['H00', 'H59', 'Diseases of the eye and adnexa'],
  ['H60', 'H95', 'Diseases of the ear and mastoid process'],
  ['I00', 'I99', 'Diseases of the circulatory system'],
  ['J00', 'J99', 'Diseases of the respiratory system'],
  ['K00', 'K95', 'Diseases of the digestive system'],
  ['L00', 'L99', 'Diseases of the skin and subcutaneous tissue'],
  ['M00', 'M99', 'Diseases of the musculoskeletal system and connective tissue'],
  ['N00', 'N99', 'Diseases of the genitourinary system'],
  ['O00', 'O9A', 'Pregnancy, childbirth and the puerperium'],
  ['P00', 'P96', 'Certain conditions originating in the perinatal period'],
  ['Q00', 'Q99', 'Congenital malformations, deformations and chromosomal abnormalities'],
  ['R00', 'R99', 'Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified'],
  ['S00', 'T88', 'Injury, poisoning and certain other consequences of external causes'],
  ['V00', 'Y99', 'External causes of morbidity'],
  ['Z00', 'Z99', 'Factors influencing health status and contact with health services'],
  ['U00', 'U85', 'Codes for special purposes'],
];

const CM_CHAPTERS: readonly (CmChapter & { first: string; last: string })[] = CM_CHAPTER_ROWS.map(
  ([first, last, title], index) => ({
    chapter: index + 1,
    id: toRoman(index + 1),
    title,
    range: `${first}-${last}`,
    first,
    last,
  }),
);

const PCS_SECTIONS: ReadonlyMap<string, string> = new Map([
  ['0', 'Medical and Surgical'],
  ['1', 'Obstetrics'],
  ['2', 'Placement'],
  ['3', 'Administration'],
  ['4', 'Measurement and Monitoring'],
  ['5', 'Extracorporeal or Systemic Assistance and Performance'],
  ['6', 'Extracorporeal or Systemic Therapies'],
  ['7', 'Osteopathic'],
  ['8', 'Other Procedures'],
  ['9', 'Chiropractic'],
  ['B', 'Imaging'],
  ['C', 'Nuclear Medicine'],
  ['D', 'Radiation Therapy'],
  ['F', 'Physical Rehabilitation and Diagnostic Audiology'],
  ['G', 'Mental Health'],
  ['H', 'Substance Abuse Treatment'],
  ['X', 'New Technology'],
]);

const PCS_SECTION_ORDER = [...PCS_SECTIONS.keys()];

function toRoman(value: number): string {
  const numerals: [number, string][] = [[10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];
  let remaining = value;
  let out = '';
  for (const [amount, numeral] of numerals) {
    while (remaining >= amount) {
      out += numeral;
      remaining -= amount;
    }
  }
  return out;
}

const CM_DOTTED = /^[A-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4}$/;
const CM_UNDOTTED = /^[A-Z][0-9][0-9A-Z]{1,5}$/;
const PCS_SHAPE = /^[0-9BCDFGHX][0-9A-HJ-NP-Z]{6}$/;

/** Upper-cases and trims; codes are otherwise taken as given. */
function normalize(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * Classifies a code as ICD-10-CM, ICD-10-PCS or unknown (case and surrounding
 * whitespace are ignored). Decision order:
 *   - contains a dot: CM if it has the dotted CM shape (PCS never has a dot), else unknown;
 *   - not 7 characters: CM if it has the CM shape (3-6 chars), else unknown;
 *   - 7 characters, not letter+digit at the start: PCS if it has the PCS shape
 *     (covers all digit sections and e.g. 'GZ...', 'HZ...', 'XW...', 'BW...');
 *   - 7 characters, letter+digit: CM, unless it also has the PCS shape and starts with
 *     B, C, D or F (CM chapters there have no 7-character codes, so 'B211YZZ' is PCS
 *     imaging) or with 'X2' (PCS New Technology cardiovascular; CM has no X20-X29
 *     categories, while 'X58XXXA' and other external-cause codes stay CM).
 *     'T797XXA', 'S72001A', 'O321XX0', 'H401131' are therefore CM.
 */
export function codeKind(code: string): CodeKind {
  const normalized = normalize(code);
  if (normalized.includes('.')) return CM_DOTTED.test(normalized) ? 'CM' : 'unknown';
  if (normalized.length !== 7) return CM_UNDOTTED.test(normalized) ? 'CM' : 'unknown';

  const startsLikeCm = /^[A-Z][0-9]/.test(normalized);
  const pcsShaped = PCS_SHAPE.test(normalized);
  if (!startsLikeCm) return pcsShaped ? 'PCS' : 'unknown';
  if (pcsShaped && (/^[BCDF]/.test(normalized) || normalized.startsWith('X2'))) return 'PCS';
  return CM_UNDOTTED.test(normalized) ? 'CM' : 'unknown';
}

/** The ICD-10-CM chapter of a code, or null when it is not a CM code or falls in no chapter (e.g. 'E95'). */
export function cmChapter(code: string): CmChapter | null {
  if (codeKind(code) !== 'CM') return null;
  const category = normalize(code).slice(0, 3);
  const found = CM_CHAPTERS.find((chapter) => category >= chapter.first && category <= chapter.last);
  if (!found) return null;
  return { chapter: found.chapter, id: found.id, title: found.title, range: found.range };
}

/** The ICD-10-PCS section (first character) of a code, or null when it is not a PCS code. */
export function pcsSection(code: string): PcsSection | null {
  if (codeKind(code) !== 'PCS') return null;
  const section = normalize(code).charAt(0);
  const title = PCS_SECTIONS.get(section);
  return title === undefined ? null : { section, title };
}

export interface ConceptGroupInfo {
  /** Human-readable label used as the breakdown group name. */
  label: string;
  /** Sort key: CM chapters first (1-22), then PCS sections in code order, then unknown. */
  order: number;
}

const UNKNOWN_GROUP: ConceptGroupInfo = { label: 'Unknown code', order: 1000 };

/** Label and sort order of the group (CM chapter or PCS section) a code belongs to. */
export function conceptGroupInfo(code: string): ConceptGroupInfo {
  const chapter = cmChapter(code);
  if (chapter) {
    return { label: `CM ${chapter.id} (${chapter.range}) ${chapter.title}`, order: chapter.chapter };
  }
  const section = pcsSection(code);
  if (section) {
    return {
      label: `PCS ${section.section} ${section.title}`,
      order: 100 + PCS_SECTION_ORDER.indexOf(section.section),
    };
  }
  return UNKNOWN_GROUP;
}

/** Breakdown label for a code, e.g. 'CM IX (I00-I99) Diseases of the circulatory system' or 'PCS 0 Medical and Surgical'. */
export function conceptGroup(code: string): string {
  return conceptGroupInfo(code).label;
}
