import type { HeapLimitedService } from "./heap-limits.ts";

/**
 * glibc malloc settings a service runs with, as environment variables. glibc reads them
 * once, when the process starts, so they are set where the process is started: compose,
 * the Kubernetes manifests, and ./process-env.ts for the bench and the fault suite,
 * beside the heap limits of ./heap-limits.ts. Other C libraries (musl) ignore them.
 *
 * Why recommendations: its memory outside the V8 heap (ONNX Runtime's sessions and
 * their buffers, tensors, HTTP buffers) held 229-274 MB under the bench's signed-in
 * flagship at 100 connections, and its RSS reached 503 MB in two of six rounds. glibc's
 * mmap threshold is dynamic: each large block freed raises it (up to 32 MiB), so later
 * large blocks come from the heap, where freed space is kept rather than given back. A
 * fixed threshold of 128 KiB keeps large blocks in their own mappings, returned when
 * freed: peak RSS 405-459 MB in the six rounds with it (181-242 MB outside the heap)
 * against 450-503 in the six without. It costs page faults on large blocks; the CPU per
 * request stayed within this machine's swings between identical rounds.
 * bench/README.md has the rounds.
 */
export const MALLOC_ENV: Partial<Record<HeapLimitedService, Readonly<Record<string, string>>>> = {
  recommendations: { MALLOC_MMAP_THRESHOLD_: "131072" },
};
