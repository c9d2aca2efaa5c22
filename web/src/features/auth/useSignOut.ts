import { useCallback } from "react";
import { useNavigate } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { revokeRefreshToken } from "./api";
import { useSession } from "../../lib/session";

/** Revoke the refresh token (best effort), forget the session and every cached answer. */
export function useSignOut(): () => Promise<void> {
  const navigate = useNavigate();
  const client = useQueryClient();
  return useCallback(async () => {
    const { refreshToken } = useSession.getState();
    useSession.getState().clear();
    client.clear();
    navigate("/sign-in", { replace: true });
    if (refreshToken) {
      try {
        await revokeRefreshToken(refreshToken);
      } catch {
        // Signed out here either way; the token expires on its own.
      }
    }
  }, [client, navigate]);
}
