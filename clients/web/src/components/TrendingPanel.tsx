import { useState } from "react";
import { Link } from "wouter";
import { useQuery, useSubscription } from "urql";
import { Trending, TrendingChanged } from "../graphql/operations.ts";
import { authorNames } from "./Authors.tsx";

interface TrendingEntry {
  book: { id: string; title: string; authors: { name: string }[] };
  readers: number;
}

/** Today's trending books, kept live by the trendingChanged subscription. */
export function TrendingPanel() {
  const [{ data }] = useQuery<{ trendingBooks: TrendingEntry[] }>({ query: Trending, variables: { window: "DAY", limit: 10 } });
  const [updates, setUpdates] = useState(0);
  const [live] = useSubscription<{ trendingChanged: { changedAt: string; books: TrendingEntry[] } }, TrendingEntry[] | null>(
    { query: TrendingChanged, variables: { window: "DAY", limit: 10 } },
    (_previous, event) => {
      setUpdates((count) => count + 1);
      return event.trendingChanged.books;
    },
  );
  const books = live.data ?? data?.trendingBooks ?? [];
  return (
    <section className="trending" aria-label="Trending today">
      <h2>
        Trending today {updates > 0 ? <span className="live" data-testid="trending-live">live · {updates} update{updates === 1 ? "" : "s"}</span> : null}
      </h2>
      <ol data-testid="trending-list">
        {books.map((entry) => (
          <li key={entry.book.id}>
            <Link href={`/books/${entry.book.id}`}>{entry.book.title}</Link>
            <small> {authorNames(entry.book.authors)} · {entry.readers} reader{entry.readers === 1 ? "" : "s"}</small>
          </li>
        ))}
      </ol>
      {books.length === 0 ? <p className="muted">Nothing yet today.</p> : null}
    </section>
  );
}
