import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyse, DEFAULT_ANALYSIS, type AnalysisOptions } from "../lib/experiments/statistics/analyse.ts";
import { chiSquaredSurvival, normalCdf, normalQuantile } from "../lib/experiments/statistics/distributions.ts";
import { sampleRatioMismatch } from "../lib/experiments/statistics/sample-ratio.ts";
import { sequentialMultiplier, sequentialPValue } from "../lib/experiments/statistics/sequential.ts";
import { simulate, type SimulatedArm } from "./support/experiment-simulation.ts";

const FIXED: AnalysisOptions = { ...DEFAULT_ANALYSIS, sequential: false, cuped: false };
const control = (ctr = 0.1): SimulatedArm => ({ key: "control", weight: 1, ctr, conversion: 0.05 });
const treatment = (ctr: number): SimulatedArm => ({ key: "treatment", weight: 1, ctr, conversion: 0.05 });

describe("experiment statistics", () => {
  it("has distribution functions that agree with published tables", () => {
    assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-6);
    assert.ok(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-6);
    assert.ok(Math.abs(chiSquaredSurvival(3.841459, 1) - 0.05) < 1e-6);
    assert.ok(Math.abs(chiSquaredSurvival(10.827566, 1) - 0.001) < 1e-6);
    assert.ok(Math.abs(chiSquaredSurvival(13.815511, 2) - 0.001) < 1e-6);
    assert.ok(Math.abs(chiSquaredSurvival(7.814728, 3) - 0.05) < 1e-6);
  });

  it("finds a planted 10% CTR lift inside its interval, and significant", () => {
    const arms = simulate({ seed: 1, readers: 40_000, arms: [control(0.1), treatment(0.11)] });
    for (const options of [DEFAULT_ANALYSIS, FIXED, { ...DEFAULT_ANALYSIS, cuped: false }]) {
      const result = analyse(arms, options);
      const lift = result.variants[1]!.lift!;
      assert.ok(lift.low <= 0.1 && 0.1 <= lift.high, `0.10 within [${lift.low}, ${lift.high}]`);
      assert.ok(lift.low > 0, `significant: [${lift.low}, ${lift.high}]`);
      assert.ok(lift.pValue < 0.05, `p = ${lift.pValue}`);
      const ctr = result.variants[0]!.ctr!;
      assert.ok(ctr.low <= 0.1 && 0.1 <= ctr.high, `control CTR 0.10 within [${ctr.low}, ${ctr.high}]`);
      assert.equal(result.variants[0]!.lift, null, "the control has no lift over itself");
    }
  });

  it("shows no significant difference in an A/A test in at least 95% of seeded repetitions", () => {
    const repetitions = 200;
    let sequentialQuiet = 0;
    let fixedQuiet = 0;
    let covered = 0;
    for (let seed = 1; seed <= repetitions; seed++) {
      const arms = simulate({ seed: 1000 + seed, readers: 2000, arms: [control(), treatment(0.1)], preActivityEffect: 0.5 });
      const sequential = analyse(arms).variants[1]!.lift!;
      const fixed = analyse(arms, FIXED).variants[1]!.lift!;
      if (sequential.pValue >= 0.05) sequentialQuiet += 1;
      if (fixed.pValue >= 0.05) fixedQuiet += 1;
      if (sequential.low <= 0 && 0 <= sequential.high) covered += 1;
    }
    assert.ok(sequentialQuiet / repetitions >= 0.95, `sequential: ${sequentialQuiet}/${repetitions} not significant`);
    assert.ok(covered / repetitions >= 0.95, `sequential intervals cover 0 in ${covered}/${repetitions}`);
    // The fixed-horizon test is exactly 5% by design; allow its sampling noise over 200 draws.
    assert.ok(fixedQuiet / repetitions >= 0.92, `fixed horizon: ${fixedQuiet}/${repetitions} not significant`);
  });

  it("keeps the sequential false-positive rate under 5% even when the results are read every day", () => {
    // The same A/A experiment looked at after each tenth of its readers: a naive test
    // stopped at the first p < 0.05 fails far more often than 5%.
    const repetitions = 100;
    let sequentialFalse = 0;
    let naiveFalse = 0;
    for (let seed = 1; seed <= repetitions; seed++) {
      let sequentialHit = false;
      let naiveHit = false;
      for (let look = 1; look <= 10; look++) {
        const arms = simulate({ seed: 5000 + seed, readers: 300 * look, arms: [control(), treatment(0.1)] });
        sequentialHit ||= analyse(arms, { ...DEFAULT_ANALYSIS, cuped: false }).variants[1]!.lift!.pValue < 0.05;
        naiveHit ||= analyse(arms, FIXED).variants[1]!.lift!.pValue < 0.05;
      }
      if (sequentialHit) sequentialFalse += 1;
      if (naiveHit) naiveFalse += 1;
    }
    assert.ok(sequentialFalse / repetitions <= 0.05, `sequential: ${sequentialFalse}/${repetitions} false positives`);
    assert.ok(naiveFalse > 2 * Math.max(sequentialFalse, 5), `peeking at fixed-horizon p-values: ${naiveFalse}/${repetitions}`);
  });

  it("flags a planted sample-ratio mismatch and not a fair split", () => {
    const planted = simulate({ seed: 3, readers: 20_000, arms: [control(), treatment(0.1)], lostFromLastArm: 0.05 });
    assert.equal(analyse(planted).sampleRatioMismatch.flagged, true);
    assert.ok(analyse(planted).sampleRatioMismatch.pValue < 0.001);
    const fair = simulate({ seed: 3, readers: 20_000, arms: [control(), treatment(0.1)] });
    assert.equal(analyse(fair).sampleRatioMismatch.flagged, false);
    // Unequal weights are expected, not a mismatch.
    assert.equal(sampleRatioMismatch([9000, 1000], [9, 1]).flagged, false);
    assert.equal(sampleRatioMismatch([5000, 5000], [9, 1]).flagged, true);
  });

  it("narrows the interval with CUPED when pre-period activity predicts the metric, keeping the truth inside", () => {
    const arms = simulate({ seed: 4, readers: 20_000, arms: [control(0.1), treatment(0.11)], preActivityEffect: 0.9 });
    const adjusted = analyse(arms, { ...DEFAULT_ANALYSIS, cuped: true }).variants[1]!;
    const plain = analyse(arms, { ...DEFAULT_ANALYSIS, cuped: false }).variants[1]!;
    const width = (i: { low: number; high: number }) => i.high - i.low;
    assert.ok(width(adjusted.lift!) < 0.9 * width(plain.lift!), `CUPED ${width(adjusted.lift!)} vs plain ${width(plain.lift!)}`);
    assert.ok(adjusted.lift!.low <= 0.1 && 0.1 <= adjusted.lift!.high);
    assert.ok(width(adjusted.conversion!) < width(plain.conversion!));
  });

  it("changes nothing with CUPED when the covariate predicts nothing", () => {
    const arms = simulate({ seed: 5, readers: 20_000, arms: [control(0.1), treatment(0.11)], preActivityEffect: 0 });
    const adjusted = analyse(arms, { ...DEFAULT_ANALYSIS, cuped: true }).variants[1]!.lift!;
    const plain = analyse(arms, { ...DEFAULT_ANALYSIS, cuped: false }).variants[1]!.lift!;
    assert.ok(Math.abs(adjusted.high - adjusted.low - (plain.high - plain.low)) < 0.02 * (plain.high - plain.low));
  });

  it("has sequential intervals wider than fixed ones that still shrink with more readers", () => {
    assert.ok(sequentialMultiplier(1000) > 1.96);
    assert.ok(sequentialMultiplier(100_000) > sequentialMultiplier(5000) / 100);
    assert.ok(sequentialPValue(0, 1000) === 1);
    assert.ok(sequentialPValue(6, 1000) < 0.001);
  });
});
