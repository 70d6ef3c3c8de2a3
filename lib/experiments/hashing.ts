/** Assignment resolves to one of this many buckets: traffic and weights have 0.01% resolution. */
export const HASH_BUCKETS = 10_000;

/** 32-bit FNV-1a over the UTF-16 code units of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The bucket (0 to 9,999) of a unit under a seed. Hashing the hash (GrowthBook's
 * v2 scheme) removes FNV-1a's correlation between similar inputs such as
 * consecutive reader ids; the seed makes each experiment's split independent.
 */
export const bucketOf = (seed: string, unit: string | number): number => fnv1a32(String(fnv1a32(`${seed}${unit}`))) % HASH_BUCKETS;
