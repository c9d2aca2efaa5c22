import type { ReactNode } from "react";
import { Navigate, Outlet, useLocation } from "react-router-dom";
import type { UserRole } from "../../api/types";
import { hasPermission, useSession } from "../../lib/session";

interface Props {
  /** Roles allowed here (any of); omitted: any signed-in user. */
  roles?: readonly UserRole[];
  /** Permissions allowed here (any of), from the gateway's permission table. */
  permissions?: readonly string[];
  children?: ReactNode;
}

/**
 * Signed out: to the sign-in page (which comes back here afterwards). Signed in without the
 * role or permission: to the "not allowed" page. The gateway checks every call again; this
 * only keeps people away from pages they cannot use.
 */
export function ProtectedRoute({ roles, permissions, children }: Props) {
  const location = useLocation();
  const user = useSession((s) => (s.accessToken ? s.user : null));
  if (!user) {
    return (
      <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />
    );
  }
  const roleOk = !roles || roles.includes(user.role);
  const permissionOk = !permissions || hasPermission(user, ...permissions);
  if (!roleOk || !permissionOk) {
    return <Navigate to="/forbidden" replace state={{ from: location.pathname }} />;
  }
  return children ? <>{children}</> : <Outlet />;
}

/** `/`: where each role starts. */
export function HomeRedirect() {
  const role = useSession((s) => s.user?.role);
  return <Navigate to={role === "vendor" ? "/vendor" : "/dashboard"} replace />;
}
