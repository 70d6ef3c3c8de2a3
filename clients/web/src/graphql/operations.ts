import manifest from "../../../persisted-query-manifest.json";

/**
 * The app's operations come from the trusted-document manifest that `npm run pq:manifest`
 * writes from clients/**\/*.graphql: the body is sent in development, only the id in
 * production, and both are the manifest's, so the gateway always recognises them.
 */
interface ManifestOperation {
  id: string;
  name: string;
  type: "query" | "mutation" | "subscription";
  body: string;
}

const byName = new Map<string, ManifestOperation>(
  (manifest as { operations: ManifestOperation[] }).operations.map((operation) => [operation.name, operation]),
);

export function operation(name: string): string {
  const found = byName.get(name);
  if (!found) throw new Error(`operation ${name} is not in clients/persisted-query-manifest.json: run npm run pq:manifest`);
  return found.body;
}

export function persistedId(operationName: string | undefined): string | undefined {
  return operationName ? byName.get(operationName)?.id : undefined;
}

export const BookPage = operation("BookPage");
export const SearchBooks = operation("SearchBooks");
export const MyRecommendations = operation("MyRecommendations");
export const RateBook = operation("RateBook");
export const SignUp = operation("SignUp");
export const SignIn = operation("SignIn");
export const RefreshSession = operation("RefreshSession");
export const SignOut = operation("SignOut");
export const Trending = operation("Trending");
export const TrendingChanged = operation("TrendingChanged");
export const Me = operation("Me");
