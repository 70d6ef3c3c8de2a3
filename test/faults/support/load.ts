/**
 * A steady closed-loop load: `clients` concurrent callers, each sending its next
 * request as soon as the previous one answered, as the 10 signed-in
 * clients did. Every answer is kept with its time, latency and error codes, so a
 * window (before, during, after a fault) can be summarised afterwards.
 */
export interface Sample {
  readonly kind: string;
  /** ms since the load started, when the request was sent. */
  readonly at: number;
  readonly ms: number;
  readonly status: number;
  /** The error codes of the answer; empty for a clean answer. */
  readonly codes: string[];
  readonly messages: string[];
}

export interface LoadRequest {
  kind: string;
  send(): Promise<{ status: number; body: { errors?: { message: string; extensions?: { code?: string } }[] } | null }>;
}

export interface RunningLoad {
  readonly samples: Sample[];
  /** ms since the load started. */
  now(): number;
  stop(): Promise<Sample[]>;
}

const REQUEST_TIMEOUT_MS = 15_000;

export interface LoadOptions {
  /**
   * Each client sends at most one request per this many ms (an open pace it keeps
   * when answers are quick, closed-loop when they are slower); 0: as fast as answered.
   * The wait is not part of a request's latency.
   */
  intervalMs?: number;
}

export function startLoad(clients: number, next: (client: number, n: number) => LoadRequest, options: LoadOptions = {}): RunningLoad {
  const intervalMs = options.intervalMs ?? 0;
  const started = performance.now();
  const samples: Sample[] = [];
  let stopping = false;
  const now = () => performance.now() - started;
  const loops = Array.from({ length: clients }, async (_unused, client) => {
    // Clients start spread over one interval rather than all at once.
    let slot = (intervalMs * client) / clients;
    for (let n = 0; !stopping; n++) {
      if (intervalMs > 0) {
        if (slot > now()) await sleep(slot - now());
        // A late answer does not earn a burst: the next slot counts from now at the earliest.
        slot = Math.max(slot, now()) + intervalMs;
        if (stopping) break;
      }
      const request = next(client, n);
      const at = now();
      try {
        const { status, body } = await request.send();
        const errors = body?.errors ?? [];
        samples.push({ kind: request.kind, at, ms: now() - at, status, codes: errors.map((error) => error.extensions?.code ?? "NONE"), messages: errors.map((error) => error.message) });
      } catch (error) {
        samples.push({ kind: request.kind, at, ms: now() - at, status: 0, codes: ["TRANSPORT"], messages: [(error as Error).message] });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
  return {
    samples,
    now,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      return samples;
    },
  };
}

export async function postGraphQL(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
  headers: Record<string, string> = {},
): ReturnType<LoadRequest["send"]> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text.slice(0, 200), extensions: { code: `HTTP_${response.status}` } }] };
  }
  return { status: response.status, body };
}

export interface WindowSummary {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Answers with at least one error, by code. */
  errors: Record<string, number>;
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);

/** Requests sent within [from, to) ms of the load's start. */
export function summarise(samples: readonly Sample[], from: number, to: number, kind?: string): WindowSummary {
  const inWindow = samples.filter((sample) => sample.at >= from && sample.at < to && (kind === undefined || sample.kind === kind));
  const latencies = inWindow.map((sample) => sample.ms).sort((a, b) => a - b);
  const errors: Record<string, number> = {};
  for (const sample of inWindow) for (const code of new Set(sample.codes)) errors[code] = (errors[code] ?? 0) + 1;
  return {
    requests: inWindow.length,
    perSecond: Math.round((inWindow.length / ((to - from) / 1000)) * 10) / 10,
    p50: Math.round(percentile(latencies, 0.5)),
    p99: Math.round(percentile(latencies, 0.99)),
    max: Math.round(latencies.at(-1) ?? 0),
    errors,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
