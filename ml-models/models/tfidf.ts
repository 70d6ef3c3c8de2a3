import type { Csr } from "../data/csr.ts";
import type { ItemFeatures } from "../data/dataset.ts";

export interface TfidfOptions {
  /** Terms in fewer items carry no similarity signal. */
  readonly minDocumentFrequency: number;
  /** Terms in more than this share of items are stop words for this catalogue. */
  readonly maxDocumentShare: number;
}

export const DEFAULT_TFIDF: TfidfOptions = { minDocumentFrequency: 2, maxDocumentShare: 0.5 };

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Terms of one book, by field: words of title and description, whole author names
 * and genres/tags as single terms (so "Stephen King" is one signal, not two common
 * words), language and publication decade as coarse terms. Fields are repeated by
 * weight since tf counts them.
 */
export function itemTerms(features: ItemFeatures): string[] {
  const terms: string[] = [];
  const words = (text: string, prefix: string, repeat: number) => {
    for (const match of text.toLowerCase().matchAll(WORD)) {
      const word = match[0];
      if (word.length < 2) continue;
      for (let r = 0; r < repeat; r++) terms.push(prefix + word);
    }
  };
  words(features.title, "w:", 2);
  words(features.description, "w:", 1);
  for (const author of features.authors) {
    const name = author.trim().toLowerCase();
    if (name) terms.push(`a:${name}`, `a:${name}`, `a:${name}`);
  }
  for (const genre of features.genres) {
    const name = genre.trim().toLowerCase();
    if (name) terms.push(`g:${name}`, `g:${name}`);
  }
  if (features.language) terms.push(`l:${features.language.toLowerCase()}`);
  if (features.year !== null && Number.isFinite(features.year)) terms.push(`y:${Math.floor(features.year / 10) * 10}`);
  return terms;
}

export interface TfidfMatrix {
  readonly matrix: Csr;
  readonly vocabulary: readonly string[];
}

/** Items x terms, sublinear tf times smoothed idf, rows L2-normalised. Items without features get empty rows. */
export function buildTfidf(features: readonly (ItemFeatures | undefined)[], options: TfidfOptions = DEFAULT_TFIDF): TfidfMatrix {
  const itemCount = features.length;
  const documents = features.map((f) => {
    const counts = new Map<string, number>();
    if (f) for (const term of itemTerms(f)) counts.set(term, (counts.get(term) ?? 0) + 1);
    return counts;
  });
  const documentFrequency = new Map<string, number>();
  for (const counts of documents) for (const term of counts.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  const maxDf = Math.max(options.minDocumentFrequency, Math.floor(options.maxDocumentShare * itemCount));
  const vocabulary = [...documentFrequency.entries()]
    .filter(([, df]) => df >= options.minDocumentFrequency && df <= maxDf)
    .map(([term]) => term)
    .sort();
  const termIndex = new Map(vocabulary.map((term, index) => [term, index]));
  const idf = Float64Array.from(vocabulary, (term) => Math.log((1 + itemCount) / (1 + documentFrequency.get(term)!)) + 1);

  const indptr = new Int32Array(itemCount + 1);
  const indices: number[] = [];
  const data: number[] = [];
  for (let i = 0; i < itemCount; i++) {
    const rowStart = indices.length;
    const entries: [number, number][] = [];
    for (const [term, count] of documents[i]!) {
      const t = termIndex.get(term);
      if (t !== undefined) entries.push([t, (1 + Math.log(count)) * idf[t]!]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    let norm = 0;
    for (const [, w] of entries) norm += w * w;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (const [t, w] of entries) {
      indices.push(t);
      data.push(w * scale);
    }
    indptr[i + 1] = rowStart + entries.length;
  }
  return {
    matrix: { rows: itemCount, cols: vocabulary.length, indptr, indices: Int32Array.from(indices), data: Float32Array.from(data) },
    vocabulary,
  };
}
