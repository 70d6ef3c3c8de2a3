import { useState } from "react";
import { Link, useLocation } from "wouter";
import { useSession } from "../components/useSession.ts";
import { RecommendationList } from "./RecommendationsPage.tsx";

export function HomePage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const [draft, setDraft] = useState("");
  return (
    <section>
      <h1>Find your next book</h1>
      <form className="search" role="search" onSubmit={(event) => { event.preventDefault(); navigate(`/search?q=${encodeURIComponent(draft)}`); }}>
        <input value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="Search 10,000 books" aria-label="Search books" />
        <button type="submit">Search</button>
      </form>
      {session ? (
        <>
          <h2>Recommended for you</h2>
          <RecommendationList limit={5} />
          <Link href="/recommendations">More for you →</Link>
        </>
      ) : (
        <p><Link href="/signup">Create an account</Link> and rate a few books to get recommendations made for you.</p>
      )}
    </section>
  );
}
