// A/B comparisons inside one run: several short alternating rounds (A B, then B A, ...), a ratio per
// round, and the median of those ratios, so one noisy second on a shared machine decides nothing.

export interface Round<T> {
  a: T;
  b: T;
  ratio: number;
}

export interface Interleaved<T> {
  rounds: Round<T>[];
  /** Median of the per-round ratios value(a) / value(b). */
  medianRatio: number;
  /** Median of each side's own value. */
  medianA: number;
  medianB: number;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function interleave<T>(rounds: number, a: () => Promise<T>, b: () => Promise<T>, value: (t: T) => number): Promise<Interleaved<T>> {
  const out: Round<T>[] = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate which side goes first, so warming and drift fall on both equally.
    let ra: T, rb: T;
    if (i % 2 === 0) {
      ra = await a();
      rb = await b();
    } else {
      rb = await b();
      ra = await a();
    }
    out.push({ a: ra, b: rb, ratio: value(ra) / value(rb) });
  }
  return {
    rounds: out,
    medianRatio: median(out.map((r) => r.ratio)),
    medianA: median(out.map((r) => value(r.a))),
    medianB: median(out.map((r) => value(r.b))),
  };
}
