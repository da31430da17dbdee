/**
 * The shape of an ICD-10 code, checked at import. MedicalBench's codes are ICD-10-CM diagnoses ("I48.91", "E11.65",
 * "D62"; the dot may be missing) and ICD-10-PCS procedures (seven characters from 0-9 and A-Z without I and O:
 * "0DTJ4ZZ"). Anything else ("=HYPERLINK(...)", free text) is not a code: the row is reported, not imported, so it
 * can reach neither a report nor a CSV file.
 */
const ICD10_CM = /^[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$/i;
const ICD10_PCS = /^[0-9A-HJ-NP-Z]{7}$/i;

export function isIcd10Shaped(code: string): boolean {
  return ICD10_CM.test(code) || ICD10_PCS.test(code);
}
