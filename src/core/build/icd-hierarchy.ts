import { cmChapter, codeKind, pcsSection } from '../scoring/icd';

/**
 * Where an ICD-10 code sits in the hierarchy, derived from the code's characters alone (MIMIC's
 * dictionaries carry no tree). The hop distance between two codes is the number of edges between
 * them in this tree: up from one code to their lowest common ancestor and down to the other.
 *
 * ICD-10-CM:  ICD-10 → CM → chapter (I–XXII, the tabular list's ranges) → block → category (3
 *             characters, e.g. I50) → subcategory (4, I50.2) → 5, 6 and 7 characters (I50.23).
 *             The block is approximated by the category's first two characters (I5 = I50–I59):
 *             the tabular list's own ~290 blocks are not bundled, and most of them coincide with
 *             or nest inside such a decade.
 * ICD-10-PCS: ICD-10 → PCS → section (1st character) → body system (2nd) → root operation (3rd)
 *             → body part (4th) → approach (5th) → device (6th) → qualifier (7th): the 7 axes of the
 *             code, each character one level.
 * So two codes of one CM subcategory are 2 hops apart (I50.23 → I50.2 → I50.22), a code and its
 * parent 1 hop, and a CM code and a PCS code 2 + their depths.
 */
export function hierarchyPath(code: string): string[] {
  const bare = stripDot(code);
  const kind = codeKind(bare);
  if (kind === 'PCS') {
    const section = pcsSection(bare)?.section ?? bare.charAt(0);
    const path = ['PCS', `PCS:${section}`];
    for (let length = 2; length <= bare.length; length++) path.push(`PCS:${bare.slice(0, length)}`);
    return path;
  }
  if (kind === 'CM') {
    const chapter = cmChapter(bare);
    const path = ['CM', `CM-chapter:${chapter?.id ?? '?'}`, `CM-block:${bare.slice(0, 2)}`];
    for (let length = 3; length <= bare.length; length++) path.push(`CM:${bare.slice(0, length)}`);
    return path;
  }
  return ['unknown', `unknown:${bare}`];
}

/** Edges between two codes in the tree described above (0 for the same code). */
export function hopDistance(a: string, b: string): number {
  const pa = hierarchyPath(a);
  const pb = hierarchyPath(b);
  let common = 0;
  while (common < pa.length && common < pb.length && pa[common] === pb[common]) common++;
  // Both paths hang from one root, "ICD-10", above the CM/PCS level.
  return pa.length - common + (pb.length - common);
}

/** The nearest code of `targets` to `code` and its distance (ties: the first in `targets`). */
export function nearestByHops(code: string, targets: readonly string[]): { code: string; hops: number } | null {
  let best: { code: string; hops: number } | null = null;
  for (const target of targets) {
    const hops = hopDistance(code, target);
    if (best === null || hops < best.hops) best = { code: target, hops };
  }
  return best;
}

export function stripDot(code: string): string {
  return code.trim().toUpperCase().replace('.', '');
}

/** MIMIC stores codes without the dot; MedicalBench writes CM codes with it (I50.23) and PCS as they are. */
export function withDot(code: string, system: 'CM' | 'PCS'): string {
  const bare = stripDot(code);
  return system === 'CM' && bare.length > 3 ? `${bare.slice(0, 3)}.${bare.slice(3)}` : bare;
}
