import type { Random } from "./random.ts";

/**
 * Walker's alias method: O(1) draws from a fixed discrete distribution, which is
 * what makes drawing hundreds of thousands of popularity-weighted books cheap.
 */
export class AliasTable {
  private readonly probability: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new RangeError("an alias table needs at least one weight");
    let total = 0;
    for (let i = 0; i < n; i++) {
      const weight = weights[i] as number;
      if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`weight ${i} is not a finite non-negative number`);
      total += weight;
    }
    if (total <= 0) throw new RangeError("at least one weight must be positive");

    this.probability = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let smallCount = 0;
    let largeCount = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = ((weights[i] as number) * n) / total;
      if (scaled[i]! < 1) small[smallCount++] = i;
      else large[largeCount++] = i;
    }
    while (smallCount > 0 && largeCount > 0) {
      const less = small[--smallCount]!;
      const more = large[--largeCount]!;
      this.probability[less] = scaled[less]!;
      this.alias[less] = more;
      scaled[more] = scaled[more]! + scaled[less]! - 1;
      if (scaled[more]! < 1) small[smallCount++] = more;
      else large[largeCount++] = more;
    }
    // Whatever is left is 1 up to rounding error.
    while (largeCount > 0) this.probability[large[--largeCount]!] = 1;
    while (smallCount > 0) this.probability[small[--smallCount]!] = 1;
  }

  get size(): number {
    return this.probability.length;
  }

  sample(random: Random): number {
    const column = random.int(this.probability.length);
    return random.next() < this.probability[column]! ? column : this.alias[column]!;
  }
}

/** Zipf-like weights 1 / (rank + offset)^exponent for ranks 1..n; the offset flattens the very top. */
export function zipfWeights(n: number, exponent: number, offset = 0): Float64Array {
  const weights = new Float64Array(n);
  for (let rank = 1; rank <= n; rank++) weights[rank - 1] = 1 / Math.pow(rank + offset, exponent);
  return weights;
}
