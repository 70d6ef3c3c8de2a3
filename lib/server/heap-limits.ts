/**
 * The V8 old-generation limit each service process runs with, in MiB: docker-compose
 * and the Kubernetes manifests set it as NODE_OPTIONS=--max-old-space-size=<n> (with
 * the gateway's semi-space below; an operator changes them there, beside the
 * container's memory limit), and the bench, the soak and the fault suite start their
 * service processes with the same.
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

/**
 * The young generation's semi-space (`--max-semi-space-size`, MiB) where Node's 16 costs
 * throughput. The gateway allocates fast and holds each request's objects across three
 * subgraph round trips: with 16 MiB it scavenged every 100-150 ms (4-8 ms each, up to 39),
 * so objects of requests in flight survived two scavenges and were promoted, and a full
 * collection followed about every 2 s. With 64 its CPU per signed-in flagship request
 * fell from 1.54 to 1.28 ms (60 s runs: 436.5 vs 396.9 req/s, p99 265.9 vs 288.3 ms)
 * for about 90 MB more RSS (312 vs 220 MB). Recommendations stays at the default: at 32
 * its RSS went over 500 MB (509-524 MB in 10 s runs) with no gain in throughput; at 8 it
 * peaked lower (434-444 against 455-480 MB, signed-in flagship, 100 connections, 20 s)
 * but spent 1.84-1.87 against 1.53-1.56 ms of CPU per request (541-545 vs 609-629 req/s).
 * The young generation reserves three semi-spaces (two, and as much for large objects).
 */
export const SEMI_SPACE_MB: Partial<Record<HeapLimitedService, number>> = { gateway: 64 };

/** Node's semi-space when none is set (64-bit). */
const DEFAULT_SEMI_SPACE_MB = 16;

/** The most V8 may take for the service's heap: the old generation's limit and the young generation. */
export const heapReservationMb = (service: HeapLimitedService): number => HEAP_LIMIT_MB[service] + 3 * (SEMI_SPACE_MB[service] ?? DEFAULT_SEMI_SPACE_MB);

/** The node flags a service runs with: its heap limit, and its semi-space where it has one. */
export const heapNodeFlags = (service: HeapLimitedService): string[] => [
  `--max-old-space-size=${HEAP_LIMIT_MB[service]}`,
  ...(SEMI_SPACE_MB[service] ? [`--max-semi-space-size=${SEMI_SPACE_MB[service]}`] : []),
];

/** The same as the NODE_OPTIONS value (compose, k8s, child processes). */
export const heapNodeOptions = (service: HeapLimitedService): string => heapNodeFlags(service).join(" ");
