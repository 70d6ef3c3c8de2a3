/**
 * The V8 old-generation limit each service process runs with, in MiB: docker-compose
 * and the Kubernetes manifests set it as NODE_OPTIONS=--max-old-space-size=<n> (an
 * operator changes it there, beside the container's memory limit), and the bench,
 * the soak and the fault suite start their service processes with the same.
 *
 * The embedded `npm start` passes its own on the command line (package.json, the
 * Dockerfile's CMD): run `node --max-old-space-size=<n> dist/start.js` to change it.
 *
 * Why a limit, when no service comes near it: V8 sizes the old generation as what
 * survived the last full collection times a growing factor, and caps that factor by
 * the heap limit. With Node's default limit on a large machine (about 4 GiB) the
 * factor reaches 4, so a service under steady load lets its request garbage pile up
 * to several times its live heap and its RSS climbs for minutes (the soak saw +50%);
 * under 2 GiB the cap falls to 1.3-2. Each limit is several times the service's live
 * heap under load (50-130 MiB at the soak's size), so it is never the thing that fails.
 * Recommendations ran with 1,024 until its live heap shrank (reader histories in typed
 * arrays); at 512 its RSS under the bench's load was ~15 MB lower at the same throughput,
 * and at 384 (its heap peaks at ~200 MiB used, garbage included, over the whole bench)
 * its peak RSS under the signed-in flagship was 476/495 MB against 516/523 at 512,
 * with 338/345 req/s against 342/254 (alternating rounds).
 */
export const HEAP_LIMIT_MB = {
  gateway: 512,
  users: 512,
  books: 512,
  recommendations: 384,
  experiments: 512,
  /**
   * `npm start`: the subgraphs in one process (PGlite's memory is outside the V8 heap). V8
   * applies this flag to the process's worker threads too (the gateway thread, training),
   * over the resourceLimits they are started with.
   */
  embedded: 1536,
} as const;

export type HeapLimitedService = keyof typeof HEAP_LIMIT_MB;

/** The NODE_OPTIONS value a service runs with. */
export const heapLimitNodeOptions = (service: HeapLimitedService): string => `--max-old-space-size=${HEAP_LIMIT_MB[service]}`;
