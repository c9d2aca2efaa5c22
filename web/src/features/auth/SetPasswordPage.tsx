import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { Button, TextField } from "../../components/ui";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useSetPassword } from "./api";

/** An invited user (or one whose password an admin reset) chooses a password. */
export function SetPasswordPage() {
  const [params] = useSearchParams();
  const [token, setToken] = useState(params.get("token") ?? "");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState<string>();
  const save = useSetPassword();

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (password !== confirm) {
      setMismatch("The passwords do not match.");
      return;
    }
    setMismatch(undefined);
    save.mutate({ token, password });
  }

  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col justify-center px-4 py-10">
      <h1 className="mb-6 text-2xl font-semibold">Choose a password</h1>
      {save.isSuccess ? (
        <div role="status" className="rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
          <p>Your password is set.</p>
          <Link className="text-indigo-700 underline" to="/sign-in">
            Sign in
          </Link>
        </div>
      ) : (
        <form
          onSubmit={onSubmit}
          aria-label="Choose a password"
          className="space-y-4 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200"
        >
          <ProblemAlert error={save.error} />
          {!params.get("token") ? (
            <TextField label="Invitation code" required value={token} onChange={(e) => setToken(e.target.value)} />
          ) : null}
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <TextField
            label="Repeat the password"
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            error={mismatch}
          />
          <Button type="submit" disabled={!token || !password || save.isPending}>
            Set password
          </Button>
        </form>
      )}
    </main>
  );
}
