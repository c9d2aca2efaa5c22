import createClient from "openapi-fetch";
import type { paths } from "./schema";
import type { TokenPair } from "./types";
import { toApiError } from "./problem";
import { useSession } from "../lib/session";

/** The gateway's origin: the page's own (the gateway serves the app; `vite dev` proxies). */
export const API_ORIGIN: string =
  (import.meta.env.VITE_API_ORIGIN as string | undefined) ||
  (typeof window !== "undefined" ? window.location.origin : "http://localhost");

const AUTH_PATHS = ["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"];

function withToken(request: Request, token: string | null): Request {
  if (!token) return request;
  const headers = new Headers(request.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return new Request(request, { headers });
}

let refreshing: Promise<boolean> | null = null;

/**
 * Spend the refresh token for a new pair (one refresh at a time: concurrent callers share
 * it, since a refresh token is single use and presenting a spent one ends the session).
 * Returns whether there is a fresh access token. A refusal (4xx) ends the session; a
 * network or server failure keeps it, to try again later.
 */
export function refreshSession(): Promise<boolean> {
  if (refreshing) return refreshing;
  const { kind, refreshToken } = useSession.getState();
  if (kind !== "legacy" || !refreshToken) return Promise.resolve(false);
  refreshing = (async () => {
    try {
      const response = await globalThis.fetch(
        new Request(`${API_ORIGIN}/api/v1/auth/refresh`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ refresh_token: refreshToken }),
        }),
      );
      if (!response.ok) {
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          useSession.getState().clear();
        }
        return false;
      }
      useSession.getState().signIn((await response.json()) as TokenPair);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/**
 * The client's fetch: adds the bearer token; on a 401 refreshes the session once (unless
 * another request already did) and repeats the request with the new token. A 401 that
 * survives that ends an external-token session (it cannot be refreshed).
 */
export async function authFetch(request: Request): Promise<Response> {
  const isAuthRoute = AUTH_PATHS.some((p) => new URL(request.url).pathname === p);
  const used = useSession.getState().accessToken;
  const retry = request.clone();
  const response = await globalThis.fetch(withToken(request, isAuthRoute ? null : used));
  if (response.status !== 401 || isAuthRoute || !used) return response;

  const current = useSession.getState().accessToken;
  const fresh = current !== null && current !== used ? true : await refreshSession();
  if (!fresh) {
    if (useSession.getState().kind === "external") useSession.getState().clear();
    return response;
  }
  return globalThis.fetch(withToken(retry, useSession.getState().accessToken));
}

export const api = createClient<paths>({ baseUrl: API_ORIGIN, fetch: authFetch });

type Result<D> = { data?: D; error?: unknown; response: Response };

/** The data of a call, or an `ApiError` (problem details) thrown for React Query. */
export async function unwrap<D>(call: Promise<Result<D>>): Promise<D> {
  let result: Result<D>;
  try {
    result = await call;
  } catch (error) {
    throw toApiError(error instanceof Error ? undefined : error);
  }
  if (result.error !== undefined || !result.response.ok) {
    throw toApiError(result.error, result.response);
  }
  return result.data as D;
}
