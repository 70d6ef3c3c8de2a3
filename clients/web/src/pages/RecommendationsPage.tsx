import { Link } from "wouter";
import { useQuery } from "urql";
import { authorNames } from "../components/Authors.tsx";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { Score } from "../components/Score.tsx";
import { useSession } from "../components/useSession.ts";
import { MyRecommendations } from "../graphql/operations.ts";

interface RecommendationsData {
  me: {
    id: string;
    displayName: string;
    recommendations: { book: { id: string; title: string; authors: { name: string }[] }; score: number; algorithm: string; source: string; reasons: string[] }[] | null;
  } | null;
}

export function RecommendationList({ limit = 10 }: { limit?: number }) {
  const [{ data, fetching, error }] = useQuery<RecommendationsData>({ query: MyRecommendations, variables: { limit } });
  if (fetching && !data) return <p className="muted">Finding books for you…</p>;
  return (
    <>
      <ErrorNote error={error} />
      <ol className="recommendations" data-testid="recommendations">
        {data?.me?.recommendations?.map((item) => (
          <li key={item.book.id} data-book-id={item.book.id}>
            <Link href={`/books/${item.book.id}`}>{item.book.title}</Link>
            <small> {authorNames(item.book.authors)}</small> <Score value={item.score} />
            {item.reasons.length ? <div className="reasons">{item.reasons.join(" · ")}</div> : null}
          </li>
        ))}
      </ol>
    </>
  );
}

/** /recommendations — the signed-in reader's list; it changes after they rate a book. */
export function RecommendationsPage() {
  const session = useSession();
  if (!session) return <p><Link href="/signin">Sign in</Link> to get recommendations.</p>;
  return (
    <section>
      <h1>Recommended for you</h1>
      <RecommendationList limit={20} />
    </section>
  );
}
