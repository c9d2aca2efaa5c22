import { useEffect, useRef, useState, type FormEvent } from "react";
import { Navigate, useLocation, useNavigate } from "react-router-dom";
import { Button, TextArea, TextField } from "../../components/ui";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useExternalSignIn, useLogin } from "./api";
import { jwtExpiry, useSession } from "../../lib/session";

interface Errors {
  email?: string;
  password?: string;
}

export function validateSignIn(email: string, password: string): Errors {
  const errors: Errors = {};
  if (!email.trim()) errors.email = "Enter your email address.";
  else if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) errors.email = "Enter a valid email address.";
  if (!password) errors.password = "Enter your password.";
  return errors;
}

function destination(state: unknown): string {
  const from = (state as { from?: string } | null)?.from;
  return from && from.startsWith("/") && !from.startsWith("/sign-in") ? from : "/";
}

export function SignInPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const signedIn = useSession((s) => s.accessToken !== null && s.user !== null);
  const signIn = useSession((s) => s.signIn);
  const adoptExternalToken = useSession((s) => s.adoptExternalToken);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [token, setToken] = useState("");
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const login = useLogin((pair) => {
    signIn(pair);
    navigate(destination(location.state), { replace: true });
  });

  const external = useExternalSignIn(({ bearer, me }) => {
    adoptExternalToken(bearer, me, jwtExpiry(bearer));
    navigate(destination(location.state), { replace: true });
  });

  // A Supabase-style redirect hands the token over in the URL fragment.
  const externalMutate = external.mutate;
  useEffect(() => {
    const params = new URLSearchParams(window.location.hash.slice(1));
    const fromHash = params.get("access_token");
    if (fromHash) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
      externalMutate(fromHash);
    }
  }, [externalMutate]);

  if (signedIn && !login.isPending && !external.isPending) {
    return <Navigate to={destination(location.state)} replace />;
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateSignIn(email, password);
    setErrors(found);
    if (found.email) emailRef.current?.focus();
    else if (found.password) passwordRef.current?.focus();
    else login.mutate({ email: email.trim(), password });
  }

  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col justify-center px-4 py-10">
      <h1 className="mb-1 text-2xl font-semibold">Sign in to Attendandt</h1>
      <p className="mb-6 text-sm text-slate-600">Guests, stays and vendors, in step with Mews.</p>
      <form
        noValidate
        onSubmit={onSubmit}
        aria-label="Sign in"
        className="space-y-4 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200"
      >
        <ProblemAlert error={login.error} />
        <TextField
          ref={emailRef}
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
        />
        <TextField
          ref={passwordRef}
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
        />
        <Button type="submit" className="w-full" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </Button>
      </form>

      <details className="mt-6 rounded-lg bg-white p-4 text-sm shadow-sm ring-1 ring-slate-200">
        <summary className="cursor-pointer font-medium">Sign in with an access token</summary>
        <form
          className="mt-3 space-y-3"
          aria-label="Sign in with an access token"
          onSubmit={(e) => {
            e.preventDefault();
            if (token.trim()) external.mutate(token);
          }}
        >
          <ProblemAlert error={external.error} />
          <TextArea
            label="Access token"
            hint="A token from your organisation's identity provider (Supabase)."
            value={token}
            onChange={(e) => setToken(e.target.value)}
            spellCheck={false}
          />
          <Button type="submit" variant="secondary" disabled={!token.trim() || external.isPending}>
            Use token
          </Button>
        </form>
      </details>
    </main>
  );
}
