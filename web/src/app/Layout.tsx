import { NavLink, Outlet } from "react-router-dom";
import { useLiveEvents, useLiveStatus } from "../api/events";
import { ROLE_LABELS } from "../api/types";
import { SessionKeeper } from "../features/auth/SessionKeeper";
import { hasPermission, useSession } from "../lib/session";
import { useSignOut } from "../features/auth/useSignOut";
import { useHotel } from "../lib/hotel";
import { Button } from "../components/ui";

interface NavItem {
  to: string;
  label: string;
  permissions: string[];
  roles?: string[];
}

const NAV: NavItem[] = [
  { to: "/dashboard", label: "Dashboard", permissions: ["guests:contact:read"] },
  { to: "/guests", label: "Guests", permissions: ["guests:read"] },
  { to: "/vendors", label: "Vendors", permissions: ["vendors:read"] },
  { to: "/vendor", label: "My vendor", permissions: ["vendors:read:own"], roles: ["vendor"] },
  { to: "/users", label: "Users", permissions: ["users:admin"] },
  { to: "/sync", label: "Sync", permissions: ["sync:read"] },
  { to: "/erasures", label: "Erasures", permissions: ["guests:erase"], roles: ["admin"] },
  { to: "/edit-rules", label: "Edit rules", permissions: ["guests:edit:rules"] },
];

const LIVE_LABEL = {
  live: "Live",
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  off: "Offline",
} as const;

function LiveIndicator() {
  const status = useLiveStatus((s) => s.status);
  const dot = status === "live" ? "bg-green-500" : status === "off" ? "bg-slate-400" : "bg-amber-500";
  return (
    <span role="status" className="flex items-center gap-1.5 text-xs text-slate-300" title="Live updates">
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${dot}`} />
      <span>
        <span className="sr-only">Live updates: </span>
        {LIVE_LABEL[status]}
      </span>
    </span>
  );
}

/** The signed-in app: skip link, banner with navigation, the page in `main`. */
export function Layout() {
  const user = useSession((s) => s.user);
  const signOut = useSignOut();
  const hotel = useHotel();
  useLiveEvents();
  const items = NAV.filter(
    (item) => hasPermission(user, ...item.permissions) && (!item.roles || item.roles.includes(user?.role ?? "")),
  );
  return (
    <div className="min-h-screen">
      <SessionKeeper />
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-indigo-700"
      >
        Skip to content
      </a>
      <header className="bg-slate-900 text-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <span className="flex items-baseline gap-3">
            <span className="text-lg font-semibold tracking-tight">Attendandt</span>
            {hotel.property ? (
              <span className="text-sm text-slate-300" title={`Times in ${hotel.property.time_zone}`}>
                <span className="sr-only">Property: </span>
                {hotel.property.name}
              </span>
            ) : null}
          </span>
          <nav aria-label="Main" className="flex-1">
            <ul className="flex flex-wrap gap-1">
              {items.map((item) => (
                <li key={item.to}>
                  <NavLink
                    to={item.to}
                    end={item.to === "/vendor"}
                    className={({ isActive }) =>
                      `rounded-md px-3 py-1.5 text-sm font-medium ${isActive ? "bg-slate-700 text-white" : "text-slate-300 hover:bg-slate-800 hover:text-white"}`
                    }
                  >
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <LiveIndicator />
          <div className="flex items-center gap-3 text-sm">
            <span>
              {user?.name} <span className="text-slate-400">({user ? ROLE_LABELS[user.role] : ""})</span>
            </span>
            <Button variant="secondary" onClick={() => void signOut()}>
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-6 focus:outline-none">
        <Outlet />
      </main>
    </div>
  );
}

export function ForbiddenPage() {
  return (
    <div className="rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
      <h1 className="text-xl font-semibold">Not allowed</h1>
      <p className="mt-2 text-sm text-slate-600">Your role does not give access to that page.</p>
      <NavLink className="mt-3 inline-block text-indigo-700 underline" to="/">
        Go to your start page
      </NavLink>
    </div>
  );
}

export function NotFoundPage() {
  return (
    <div className="rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
      <h1 className="text-xl font-semibold">Page not found</h1>
      <NavLink className="mt-3 inline-block text-indigo-700 underline" to="/">
        Go to your start page
      </NavLink>
    </div>
  );
}
