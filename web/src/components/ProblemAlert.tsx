import { ApiError, toApiError } from "../api/problem";

/** An API failure as the user should read it: the problem's title and detail, and the
 * invalid fields it names. Announced to screen readers (`role="alert"`). */
export function ProblemAlert({ error, className = "" }: { error: unknown; className?: string }) {
  if (!error) return null;
  const problem = (error instanceof ApiError ? error : toApiError(error)).problem;
  return (
    <div role="alert" className={`rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900 ${className}`}>
      <p className="font-semibold">{problem.title}</p>
      {problem.detail && problem.detail !== problem.title ? <p>{problem.detail}</p> : null}
      {problem.errors?.length ? (
        <ul className="mt-1 list-disc pl-5">
          {problem.errors.map((e, i) => (
            <li key={i}>
              {e.key ? <span className="font-mono">{e.key}</span> : null}
              {e.key ? ": " : null}
              {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {problem.request_id ? (
        <p className="mt-1 text-xs text-red-700">Reference: {problem.request_id}</p>
      ) : null}
    </div>
  );
}
