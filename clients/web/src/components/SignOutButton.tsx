import { useMutation } from "urql";
import { useLocation } from "wouter";
import { reconnectSubscriptions } from "../graphql/client.ts";
import { SignOut } from "../graphql/operations.ts";
import { saveSession } from "../session.ts";

export function SignOutButton() {
  const [, signOut] = useMutation(SignOut);
  const [, navigate] = useLocation();
  return (
    <button
      className="link"
      onClick={async () => {
        // The server revokes the refresh token; the local session goes whatever it answers.
        await signOut({});
        saveSession(null);
        reconnectSubscriptions();
        navigate("/");
      }}
    >
      Sign out
    </button>
  );
}
