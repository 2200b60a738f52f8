/**
 * The walk's order as a comparison of relative paths: sorted depth-first by name means
 * lexicographic over path segments (not over the whole string: "a/b" comes before "a-c"
 * because the folder "a" sorts before "a-c"). The journal's cursor relies on it.
 */
import { compareNames } from '../staging/scan.ts';

/** Negative, zero or positive as `a` comes before, at or after `b` in walk order. */
export function compareWalkPaths(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  const n = Math.min(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const c = compareNames(as[i]!, bs[i]!);
    if (c !== 0) return c;
  }
  return as.length - bs.length;
}
