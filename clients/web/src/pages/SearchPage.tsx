import { useState } from "react";
import { Link, useSearch, useLocation } from "wouter";
import { useQuery } from "urql";
import { authorNames } from "../components/Authors.tsx";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { SearchBooks } from "../graphql/operations.ts";

interface SearchData {
  searchBooks: {
    totalCount: number;
    edges: { node: { score: number; highlights: { title: string; snippet: string | null }; book: { id: string; title: string; publicationYear: number | null; authors: { name: string }[] } } }[];
  };
}

/** /search?q= — full-text search with typo tolerance; highlights come HTML-escaped with <mark>. */
export function SearchPage() {
  const params = new URLSearchParams(useSearch());
  const query = params.get("q") ?? "";
  const [, navigate] = useLocation();
  const [draft, setDraft] = useState(query);
  const [{ data, fetching, error }] = useQuery<SearchData>({ query: SearchBooks, variables: { query, first: 20 }, pause: query.trim() === "" });
  return (
    <section>
      <form className="search" role="search" onSubmit={(event) => { event.preventDefault(); navigate(`/search?q=${encodeURIComponent(draft)}`); }}>
        <input name="q" value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="Title, author, subject… typos welcome" aria-label="Search books" />
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={error} />
      {fetching ? <p className="muted">Searching…</p> : null}
      {data ? <p className="muted">{data.searchBooks.totalCount} books</p> : null}
      <ul className="results" data-testid="search-results">
        {data?.searchBooks.edges.map(({ node }) => (
          <li key={node.book.id}>
            {/* The server escapes everything but its own <mark> tags. */}
            <Link href={`/books/${node.book.id}`}><span dangerouslySetInnerHTML={{ __html: node.highlights.title }} /></Link>
            <small> {authorNames(node.book.authors)}{node.book.publicationYear ? ` · ${node.book.publicationYear}` : ""}</small>
            {node.highlights.snippet ? <p className="snippet" dangerouslySetInnerHTML={{ __html: node.highlights.snippet }} /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
