/** Who is making a request, as established from a verified access token. */
export type Role = "READER" | "ADMIN";

export interface Viewer {
  userId: number;
  role: Role;
}

export const isAdmin = (viewer: Viewer | null): boolean => viewer?.role === "ADMIN";
