import { create } from "zustand";
import { createJSONStorage, persist } from "zustand/middleware";
import type { Me, TokenPair } from "../api/types";

/**
 * The signed-in session. `legacy`: the gateway's own tokens (email and password sign-in),
 * refreshed before they expire. `external`: a Supabase-compatible access token handed to
 * the app; it cannot be refreshed here, so the user signs in again when it expires.
 *
 * Kept in sessionStorage (per tab): a reload keeps the session, closing the tab ends it.
 */
export type SessionKind = "legacy" | "external";

export interface SessionState {
  kind: SessionKind | null;
  accessToken: string | null;
  refreshToken: string | null;
  /** Epoch milliseconds when the access token expires (null: unknown). */
  expiresAt: number | null;
  user: Me | null;
  signIn(pair: TokenPair): void;
  adoptExternalToken(token: string, user: Me, expiresAt: number | null): void;
  setUser(user: Me): void;
  clear(): void;
}

const empty = {
  kind: null,
  accessToken: null,
  refreshToken: null,
  expiresAt: null,
  user: null,
} as const;

export const useSession = create<SessionState>()(
  persist(
    (set) => ({
      ...empty,
      signIn: (pair) =>
        set({
          kind: "legacy",
          accessToken: pair.access_token,
          refreshToken: pair.refresh_token,
          expiresAt: Date.now() + pair.expires_in * 1000,
          user: pair.user,
        }),
      adoptExternalToken: (token, user, expiresAt) =>
        set({ kind: "external", accessToken: token, refreshToken: null, expiresAt, user }),
      setUser: (user) => set({ user }),
      clear: () => set({ ...empty }),
    }),
    {
      name: "attendandt.session",
      storage: createJSONStorage(() => sessionStorage),
      partialize: ({ kind, accessToken, refreshToken, expiresAt, user }) => ({
        kind,
        accessToken,
        refreshToken,
        expiresAt,
        user,
      }),
    },
  ),
);

export function hasPermission(user: Me | null | undefined, ...permissions: string[]): boolean {
  return !!user && permissions.some((p) => user.permissions.includes(p));
}

/** The `exp` claim of a JWT, in epoch milliseconds (no verification: the server does that). */
export function jwtExpiry(token: string): number | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}
