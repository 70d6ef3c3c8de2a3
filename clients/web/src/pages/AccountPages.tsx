import { useState, type FormEvent } from "react";
import { Link, useLocation } from "wouter";
import { useMutation } from "urql";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { reconnectSubscriptions } from "../graphql/client.ts";
import { SignIn, SignUp } from "../graphql/operations.ts";
import { saveSession, sessionFrom, type AuthPayload } from "../session.ts";

function useSignedIn(): (payload: AuthPayload | undefined) => void {
  const [, navigate] = useLocation();
  return (payload) => {
    if (!payload) return;
    saveSession(sessionFrom(payload));
    reconnectSubscriptions();
    navigate("/");
  };
}

export function SignUpPage() {
  const [{ fetching, error }, signUp] = useMutation<{ signUp: AuthPayload }>(SignUp);
  const signedIn = useSignedIn();
  const [form, setForm] = useState({ displayName: "", email: "", password: "" });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await signUp({ input: form });
    signedIn(result.data?.signUp);
  };
  return (
    <form className="account" onSubmit={submit} aria-label="Sign up">
      <h1>Create your account</h1>
      <label>Name <input name="displayName" required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} /></label>
      <label>Email <input name="email" type="email" required autoComplete="username" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} /></label>
      <label>Password <input name="password" type="password" required minLength={8} autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} /></label>
      <button type="submit" disabled={fetching}>Sign up</button>
      <ErrorNote error={error} />
      <p className="muted">Already have one? <Link href="/signin">Sign in</Link></p>
    </form>
  );
}

export function SignInPage() {
  const [{ fetching, error }, signIn] = useMutation<{ signIn: AuthPayload }>(SignIn);
  const signedIn = useSignedIn();
  const [form, setForm] = useState({ email: "", password: "" });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await signIn(form);
    signedIn(result.data?.signIn);
  };
  return (
    <form className="account" onSubmit={submit} aria-label="Sign in">
      <h1>Sign in</h1>
      <label>Email <input name="email" type="email" required autoComplete="username" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} /></label>
      <label>Password <input name="password" type="password" required autoComplete="current-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} /></label>
      <button type="submit" disabled={fetching}>Sign in</button>
      <ErrorNote error={error} />
      <p className="muted">New here? <Link href="/signup">Create an account</Link></p>
    </form>
  );
}
