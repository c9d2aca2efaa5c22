import type { Problem } from "./types";

/** An API call that failed: the gateway's RFC 9457 problem details (or one made up for a
 * network failure or a body that is not a problem). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
  }
}

export function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.title === "string" && typeof v.status === "number";
}

export function toApiError(error: unknown, response?: Response): ApiError {
  if (error instanceof ApiError) return error;
  if (isProblem(error)) return new ApiError(error);
  const status = response?.status ?? 0;
  return new ApiError({
    type: "about:blank",
    title: status ? response?.statusText || `Request failed (${status})` : "Network error",
    status,
    detail:
      status === 0
        ? "The server could not be reached. Check your connection and try again."
        : typeof error === "string" && error
          ? error
          : null,
  });
}
