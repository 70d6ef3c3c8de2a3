export class TimeBudgetExceeded extends Error {
  constructor(ms: number) {
    super(`model answer exceeded the ${ms} ms time budget`);
    this.name = "TimeBudgetExceeded";
  }
}

/** `work`'s answer, or TimeBudgetExceeded after `ms`; the abandoned work still finishes (and returns its leases), its result just unused. */
export async function withinBudget<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TimeBudgetExceeded(ms)), ms);
  });
  work.catch(() => {});
  try {
    return await Promise.race([work, budget]);
  } finally {
    clearTimeout(timer);
  }
}
