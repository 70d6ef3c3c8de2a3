import type { LoadStep } from "./load.ts";

/** What `npm run bench` asks: each scenario's requests, and whether a reader's token goes with them. */
export interface Scenario {
  steps: LoadStep[];
  signedIn: boolean;
}

export const FLAGSHIP = `query Flagship($id: ID!) { book(id: $id) { title score similar(limit: 10) { book { id title score } score source } } }`;
// Book.score is the signed-in reader's predicted taste: an anonymous client asks for the rest.
const FLAGSHIP_ANONYMOUS = `query Flagship($id: ID!) { book(id: $id) { title similar(limit: 10) { book { id title } score source } } }`;
const READER_RECOMMENDATIONS = `{ me { recommendations(limit: 10) { book { id title } score source } } }`;

export const SCENARIOS: Record<string, Scenario> = {
  "flagship-signed-in": { steps: [{ query: FLAGSHIP, variables: { id: "$book" } }], signedIn: true },
  "flagship-anonymous": { steps: [{ query: FLAGSHIP_ANONYMOUS, variables: { id: "$book" } }], signedIn: false },
  "book-title": { steps: [{ query: `query Title($id: ID!) { book(id: $id) { title } }`, variables: { id: "$book" } }], signedIn: false },
  search: { steps: [{ query: `query Search($q: String!) { searchBooks(query: $q, first: 10) { totalCount edges { node { score book { id title } } } } }`, variables: { q: "$word" } }], signedIn: false },
  "reader-recommendations": { steps: [{ query: READER_RECOMMENDATIONS }], signedIn: true },
  "rate-then-recommendations": {
    steps: [
      { query: `mutation Rate($book: ID!, $rating: Int!) { rateBook(bookId: $book, rating: $rating) { rating } }`, variables: { book: "$book", rating: "$rating" } },
      { query: READER_RECOMMENDATIONS },
    ],
    signedIn: true,
  },
};

/**
 * Every book's title and similar list, anonymous: what a priming sweep asks for each
 * book. No measured scenario sends it, so what our gateway's response cache keeps of
 * these answers serves no measured request.
 */
export const PRIME_BOOKS = `query Prime($id: ID!) { book(id: $id) { title similar(limit: 10) { book { id title } score source } } }`;
