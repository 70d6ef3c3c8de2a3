/**
 * The signed-in reader's tokens, kept in localStorage so a reload or a deep link keeps
 * the session. The access token is short-lived; the refresh token renews it (rotated on use).
 */
export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  userId: string;
}

const STORAGE_KEY = "shelfgraph.session";
type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();

export function currentSession(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else localStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener(session);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Renew a little before expiry rather than after a failed request. */
export function expiresSoon(session: Session, marginMs = 30_000): boolean {
  return Date.parse(session.expiresAt) - Date.now() < marginMs;
}

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  user: { id: string };
}

export const sessionFrom = (payload: AuthPayload): Session => ({
  accessToken: payload.accessToken,
  refreshToken: payload.refreshToken,
  expiresAt: payload.expiresAt,
  userId: payload.user.id,
});
