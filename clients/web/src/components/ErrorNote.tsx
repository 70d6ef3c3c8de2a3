import type { CombinedError } from "urql";

/** What went wrong, in the words the API gives, with its stable code. */
export function ErrorNote({ error }: { error: CombinedError | undefined }) {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  const code = first?.extensions?.code;
  return (
    <p className="error" role="alert">
      {first?.message ?? error.networkError?.message ?? "Something went wrong"}
      {code ? <code> {String(code)}</code> : null}
    </p>
  );
}
