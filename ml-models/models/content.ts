import type { Csr } from "../data/csr.ts";
import type { ItemFeatures } from "../data/dataset.ts";
import { normalizeRows, scoreAllRows } from "../linalg/dense.ts";
import { randomizedSvd } from "../linalg/randomized-svd.ts";
import type { Recommender } from "./recommender.ts";
import { buildTfidf, DEFAULT_TFIDF, type TfidfOptions } from "./tfidf.ts";

export interface ContentParams extends TfidfOptions {
  readonly dimensions: number;
  readonly powerIterations: number;
  readonly seed: number;
}

export const DEFAULT_CONTENT: ContentParams = { ...DEFAULT_TFIDF, dimensions: 64, powerIterations: 2, seed: 11 };

/**
 * Content-based: TF-IDF over the book's text and metadata, reduced by randomised
 * truncated SVD to unit-length dense embeddings. A reader's profile is the mean of
 * the embeddings of the books they have (the mean, not the sum, keeps scores within
 * [-1, 1] whatever the history's length); a book's score is its dot product with it.
 */
export class ContentModel implements Recommender {
  readonly name = "content" as const;
  private readonly profile: Float64Array;

  constructor(
    /** itemCount x dimensions, rows of unit length (zero for books without metadata). */
    readonly embeddings: Float32Array,
    readonly itemCount: number,
    readonly dimensions: number,
    readonly vocabularySize: number,
    readonly params: ContentParams,
  ) {
    this.profile = new Float64Array(dimensions);
  }

  get hyperparameters(): Readonly<Record<string, unknown>> {
    return { ...this.params, vocabularySize: this.vocabularySize };
  }

  scoreUser(user: number, history: Csr, out: Float32Array): void {
    const d = this.dimensions;
    const profile = this.profile;
    profile.fill(0);
    const from = history.indptr[user]!;
    const to = history.indptr[user + 1]!;
    for (let e = from; e < to; e++) {
      const base = history.indices[e]! * d;
      for (let f = 0; f < d; f++) profile[f]! += this.embeddings[base + f]!;
    }
    if (to > from) for (let f = 0; f < d; f++) profile[f]! /= to - from;
    scoreAllRows(this.embeddings, this.itemCount, d, profile, out);
  }
}

export function trainContent(features: readonly (ItemFeatures | undefined)[], params: ContentParams = DEFAULT_CONTENT): ContentModel {
  const { matrix, vocabulary } = buildTfidf(features, params);
  if (vocabulary.length === 0) throw new NoContentSignalError();
  const svd = randomizedSvd(matrix, { rank: params.dimensions, oversampling: 10, powerIterations: params.powerIterations, seed: params.seed });
  normalizeRows(svd.embedding, matrix.rows, svd.rank);
  return new ContentModel(svd.embedding, matrix.rows, svd.rank, vocabulary.length, { ...params, dimensions: svd.rank });
}

/** The catalogue's metadata has no term shared by two books (or every term is everywhere). */
export class NoContentSignalError extends Error {
  constructor() {
    super("content model: no term is shared by some but not most books, nothing to learn from");
    this.name = "NoContentSignalError";
  }
}
