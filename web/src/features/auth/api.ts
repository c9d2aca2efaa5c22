import { useMutation, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { sessionKeys } from "../../api/queryKeys";
import type { Me, TokenPair } from "../../api/types";

/** Who the signed-in user is now (their role and permissions may have changed meanwhile). */
export function useMe(enabled: boolean) {
  return useQuery({
    queryKey: sessionKeys.me,
    queryFn: () => unwrap(api.GET("/api/v1/auth/me")),
    enabled,
    staleTime: 60_000,
  });
}

export function useLogin(onSuccess: (pair: TokenPair) => void) {
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => unwrap(api.POST("/api/v1/auth/login", { body })),
    onSuccess,
  });
}

/** Sign in with a token issued elsewhere: the gateway says whose it is, or refuses it. */
export function useExternalSignIn(onSuccess: (signedIn: { bearer: string; me: Me }) => void) {
  return useMutation({
    mutationFn: async (raw: string) => {
      const bearer = raw.trim().replace(/^Bearer\s+/i, "");
      const me: Me = await unwrap(api.GET("/api/v1/auth/me", { headers: { Authorization: `Bearer ${bearer}` } }));
      return { bearer, me };
    },
    onSuccess,
  });
}

/** Set a password with the one-time token of an invitation or a reset. */
export function useSetPassword() {
  return useMutation({
    mutationFn: ({ token, password }: { token: string; password: string }) =>
      unwrap(api.POST("/api/v1/auth/set-password", { body: { token, new_password: password } })),
  });
}

export async function revokeRefreshToken(refreshToken: string): Promise<void> {
  await api.POST("/api/v1/auth/logout", { body: { refresh_token: refreshToken } });
}
