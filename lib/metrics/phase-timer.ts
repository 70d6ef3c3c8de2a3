/** Wall and CPU seconds of one phase (CPU over every thread of the process). */
export interface PhaseTime {
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/**
 * Times consecutive phases of a start-up (migrations, demo data, training, servers) so
 * one log line says where a start spent its time: each `end` closes the phase running
 * since the previous one.
 */
export function phaseTimer() {
  const phases: Record<string, PhaseTime> = {};
  let wallFrom = performance.now();
  let cpuFrom = process.cpuUsage();
  const round = (seconds: number) => Math.round(seconds * 10) / 10;
  return {
    end(name: string): PhaseTime {
      const cpu = process.cpuUsage(cpuFrom);
      const phase = { seconds: round((performance.now() - wallFrom) / 1000), cpuSeconds: round((cpu.user + cpu.system) / 1e6) };
      phases[name] = phase;
      wallFrom = performance.now();
      cpuFrom = process.cpuUsage();
      return phase;
    },
    /** Every phase ended so far, in order. */
    phases(): Readonly<Record<string, PhaseTime>> {
      return { ...phases };
    },
  };
}
