import { useEffect } from "react";
import { refreshSession } from "../../api/client";
import { useMe } from "./api";
import { useSession } from "../../lib/session";

/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * Keeps the session alive while the app is open: refreshes the gateway's access token a
 * minute before it expires, ends an external token's session when it expires, and keeps
 * the user's role and permissions current (`/auth/me`).
 */
export function SessionKeeper() {
  const kind = useSession((s) => s.kind);
  const expiresAt = useSession((s) => s.expiresAt);
  const signedIn = useSession((s) => s.accessToken !== null);
  const setUser = useSession((s) => s.setUser);
  const clear = useSession((s) => s.clear);

  useEffect(() => {
    if (!kind || expiresAt === null) return undefined;
    const wait = Math.max(
      kind === "legacy" ? expiresAt - Date.now() - REFRESH_MARGIN_MS : expiresAt - Date.now(),
      kind === "legacy" ? 5_000 : 0,
    );
    const timer = setTimeout(() => {
      if (kind === "legacy") void refreshSession();
      else clear();
    }, wait);
    return () => clearTimeout(timer);
  }, [kind, expiresAt, clear]);

  const me = useMe(signedIn);
  useEffect(() => {
    if (me.data) setUser(me.data);
  }, [me.data, setUser]);

  return null;
}
