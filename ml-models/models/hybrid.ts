import type { Csr } from "../data/csr.ts";
import type { Recommender } from "./recommender.ts";

export interface HybridComponent {
  readonly model: Recommender;
  readonly weight: number;
}

/**
 * Weighted blend of other models' scores. Each component's scores are standardised
 * per user (z-scores over the catalogue) first: raw scales differ by orders of
 * magnitude between popularity counts, CF similarity sums and ALS dot products.
 */
export class HybridModel implements Recommender {
  readonly name = "hybrid" as const;
  private readonly buffer: Float32Array;

  constructor(readonly components: readonly HybridComponent[]) {
    const first = components[0];
    if (!first) throw new Error("hybrid model needs at least one component");
    this.buffer = new Float32Array(first.model.itemCount);
  }

  get itemCount(): number {
    return this.buffer.length;
  }

  get hyperparameters(): Readonly<Record<string, unknown>> {
    return { weights: Object.fromEntries(this.components.map((c) => [c.model.name, c.weight])) };
  }

  scoreUser(user: number, history: Csr, out: Float32Array): void {
    out.fill(0);
    for (const { model, weight } of this.components) {
      if (weight === 0) continue;
      model.scoreUser(user, history, this.buffer);
      addStandardised(this.buffer, weight, out);
    }
  }

  /** The same blend from component scores computed elsewhere (one array per component, in order). */
  blend(componentScores: readonly Float32Array[], out: Float32Array): void {
    out.fill(0);
    this.components.forEach(({ weight }, c) => {
      if (weight !== 0) addStandardised(componentScores[c]!, weight, out);
    });
  }
}

/** out += weight * (scores - mean) / std. */
export function addStandardised(scores: Float32Array, weight: number, out: Float32Array): void {
  const n = scores.length;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    sum += s;
    sumSquares += s * s;
  }
  const mean = sum / n;
  const variance = sumSquares / n - mean * mean;
  if (!(variance > 1e-24)) return; // a constant score says nothing about order
  const scale = weight / Math.sqrt(variance);
  for (let i = 0; i < n; i++) out[i]! += (scores[i]! - mean) * scale;
}
