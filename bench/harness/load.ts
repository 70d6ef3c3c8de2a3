/**
 * The load generator, run by bench/run.ts as its own process so it never shares an
 * event loop with a server: autocannon against one URL for a fixed time, every
 * request built fresh (random book, random reader), GraphQL errors in 200 answers
 * counted as errors. Reads its job from the JSON file named by argv[2], prints the
 * result as JSON.
 */
import { readFileSync } from "node:fs";
import autocannon, { type Request } from "autocannon";

export interface LoadStep {
  /** GraphQL document and variables; `$book` in a variable value becomes a random book id, `$rating` a random 1-5, `$word` a random search word. */
  query: string;
  variables?: Record<string, string>;
}

export interface LoadJob {
  url: string;
  connections: number;
  seconds: number;
  /** Requests per connection in order, repeated (a mutation then a query, say). */
  steps: LoadStep[];
  /** Bearer tokens: each request signs in as a random one; none means anonymous. */
  tokens: string[];
  books: number;
  /**
   * A sweep instead of a timed run: exactly this many requests, books (and tokens) taken
   * in turn rather than at random, so every book is asked for once (the bench's priming).
   */
  sweep?: number;
}

export interface LoadResult {
  requests: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  /** First few error answers, to tell what went wrong. */
  errorSamples: string[];
}

const job = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as LoadJob;
const latencies: number[] = [];
let errors = 0;
const errorSamples: string[] = [];
const WORDS = ["love", "war", "night", "house", "girl", "king", "dark", "time", "world", "life", "star", "river", "secret", "city", "dream"];
let turn = 0;
const pick = <T>(list: readonly T[]) => (job.sweep ? list[turn % list.length]! : list[Math.floor(Math.random() * list.length)]!);
const randomBook = () => String(1 + (job.sweep ? turn % job.books : Math.floor(Math.random() * job.books)));
const variableValue = (value: string): unknown =>
  value === "$book" ? randomBook() : value === "$rating" ? 1 + Math.floor(Math.random() * 5) : value === "$word" ? pick(WORDS) : value;

function noteError(sample: string): void {
  errors += 1;
  if (errorSamples.length < 5) errorSamples.push(sample.slice(0, 300));
}

const requests = job.steps.map((step, index): Request => ({
  method: "POST",
  // One reader per round of steps (they rate, then read their recommendations).
  setupRequest: (request, state) => {
    const context = state as { token?: string };
    if (index === 0) turn += 1;
    if (index === 0 && job.tokens.length > 0) context.token = pick(job.tokens);
    const variables = Object.fromEntries(
      Object.entries(step.variables ?? {}).map(([name, value]) => [name, variableValue(value)]),
    );
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (context.token) headers.authorization = `Bearer ${context.token}`;
    return { ...request, headers, body: JSON.stringify({ query: step.query, variables }) };
  },
  onResponse: (status: number, body: string) => {
    if (status !== 200) noteError(`${status} ${body}`);
    else if (body.includes('"errors"')) noteError(body);
  },
}));

const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const instance = autocannon({ url: job.url, connections: job.connections, ...(job.sweep ? { amount: job.sweep } : { duration: job.seconds }), requests, timeout: 10 }, (error, finished) =>
    error ? reject(error) : resolve(finished),
  );
  instance.on("response", (_client, _status, _bytes, responseTime) => {
    latencies.push(responseTime);
  });
});
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
const round = (value: number) => Math.round(value * 10) / 10;
const output: LoadResult = {
  requests: latencies.length,
  throughput: round(latencies.length / job.seconds),
  p50: round(at(50)),
  p95: round(at(95)),
  p99: round(at(99)),
  max: round(latencies.at(-1) ?? 0),
  errors: errors + result.errors + result.timeouts,
  errorSamples,
};
process.stdout.write(`${JSON.stringify(output)}\n`);
