import { useSyncExternalStore } from "react";
import { currentSession, onSessionChange, type Session } from "../session.ts";

let snapshot: Session | null = currentSession();
onSessionChange((session) => {
  snapshot = session;
});

export function useSession(): Session | null {
  return useSyncExternalStore(onSessionChange, () => snapshot);
}
