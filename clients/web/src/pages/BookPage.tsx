import { useState } from "react";
import { Link } from "wouter";
import { useMutation, useQuery } from "urql";
import { authorNames } from "../components/Authors.tsx";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { Score } from "../components/Score.tsx";
import { useSession } from "../components/useSession.ts";
import { BookPage as BookPageQuery, RateBook } from "../graphql/operations.ts";

interface SimilarItem {
  book: { id: string; title: string; authors: { name: string }[]; score?: number | null };
  score: number;
  algorithm: string;
  source: string;
  reasons: string[];
}

interface BookPageData {
  book: {
    id: string;
    title: string;
    subtitle: string | null;
    description: string | null;
    publicationYear: number | null;
    coverUrl: string | null;
    averageRating: number;
    ratingsCount: number;
    authors: { id: string; name: string }[];
    genres: { name: string }[];
    score?: number | null;
    similar: SimilarItem[] | null;
  } | null;
}

/** /books/:id — the flagship query: the book, similar titles and (signed in) personal scores. */
export function BookPage({ id }: { id: string }) {
  const session = useSession();
  const [{ data, fetching, error }, refetch] = useQuery<BookPageData>({ query: BookPageQuery, variables: { id, similarLimit: 10, personal: session !== null } });
  if (fetching && !data) return <p className="muted">Loading…</p>;
  const book = data?.book;
  if (!book) return error ? <ErrorNote error={error} /> : <p>No book with id {id}.</p>;
  return (
    <article className="book" data-testid="book-page">
      <h1>{book.title}</h1>
      {book.subtitle ? <p className="subtitle">{book.subtitle}</p> : null}
      <p className="byline">
        {authorNames(book.authors)}
        {book.publicationYear ? ` · ${book.publicationYear}` : ""} · ★ {book.averageRating.toFixed(2)} ({book.ratingsCount} ratings)
      </p>
      {session ? <p>For you: <Score value={book.score} /></p> : <p className="muted"><Link href="/signin">Sign in</Link> to see how well this book matches your taste.</p>}
      {book.genres.length ? <p className="genres">{book.genres.slice(0, 6).map((g) => <span key={g.name}>{g.name}</span>)}</p> : null}
      {book.description ? <p className="description">{book.description}</p> : null}
      {session ? <RateThisBook bookId={book.id} onRated={() => refetch({ requestPolicy: "network-only" })} /> : null}
      <ErrorNote error={error} />
      <h2>Readers who liked this also liked</h2>
      <ul className="similar" data-testid="similar-books">
        {(book.similar ?? []).map((item) => (
          <li key={item.book.id}>
            <Link href={`/books/${item.book.id}`}>{item.book.title}</Link>
            <small> {authorNames(item.book.authors)}</small>
            {session ? <> <Score value={item.book.score} /></> : null}
            {item.reasons.length ? <div className="reasons">{item.reasons.join(" · ")}</div> : null}
          </li>
        ))}
      </ul>
    </article>
  );
}

function RateThisBook({ bookId, onRated }: { bookId: string; onRated: () => void }) {
  const [{ fetching, error }, rate] = useMutation(RateBook);
  const [rated, setRated] = useState<number | null>(null);
  return (
    <div className="rate" data-testid="rate-book">
      Your rating:{" "}
      {[1, 2, 3, 4, 5].map((stars) => (
        <button
          key={stars}
          aria-label={`Rate ${stars} star${stars === 1 ? "" : "s"}`}
          className={rated !== null && stars <= rated ? "star on" : "star"}
          disabled={fetching}
          onClick={async () => {
            const result = await rate({ bookId, rating: stars });
            if (!result.error) {
              setRated(stars);
              onRated();
            }
          }}
        >
          ★
        </button>
      ))}
      {rated !== null ? <span className="muted" data-testid="rated"> saved: {rated} ★</span> : null}
      <ErrorNote error={error} />
    </div>
  );
}
