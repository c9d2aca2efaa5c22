import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { vi } from "vitest";
import type { Me, PropertyView, UserRole } from "../api/types";
import { useSession } from "../lib/session";

export const PERMISSIONS: Record<UserRole, string[]> = {
  admin: [
    "self:read", "events:read", "guests:read", "guests:contact:read", "guests:edit", "guests:edit:rules",
    "stays:notes:write",
    "vendors:read", "vendors:write",
    "offerings:write", "bookings:read", "bookings:create", "bookings:manage", "charges:read",
    "charges:create", "charges:retry", "charges:approve", "charges:cancel", "billing:settings",
    "sync:read", "sync:resync", "users:admin", "guests:export", "stays:bill:read",
    "guests:erase", "audit:read",
  ],
  manager: [
    "self:read", "events:read", "guests:read", "guests:contact:read", "guests:edit", "guests:edit:rules",
    "stays:notes:write",
    "vendors:read", "vendors:write",
    "offerings:write", "bookings:read", "bookings:create", "bookings:manage", "charges:read",
    "charges:create", "charges:retry", "charges:approve", "charges:cancel", "billing:settings",
    "sync:read", "guests:export", "stays:bill:read", "guests:erase",
  ],
  front_desk: [
    "self:read", "events:read", "guests:read", "guests:contact:read", "guests:edit", "vendors:read",
    "stays:notes:write",
    "bookings:read",
    "bookings:create", "bookings:manage", "charges:read", "charges:create", "stays:bill:read",
  ],
  vendor: [
    "self:read", "events:read", "guests:read", "vendors:read:own", "offerings:write:own",
    "bookings:read:own", "bookings:manage:own", "charges:read:own", "charges:create:own",
  ],
};

export function makeUser(role: UserRole, extra: Partial<Me> = {}): Me {
  return {
    user_id: `u-${role}`,
    email: `${role}@hotel.test`,
    name: `Test ${role}`,
    role,
    vendor_id: role === "vendor" ? "v-1" : null,
    enterprise_id: "ent-1",
    permissions: PERMISSIONS[role],
    ...extra,
  };
}

export function signInAs(role: UserRole, extra: Partial<Me> = {}): Me {
  const user = makeUser(role, extra);
  useSession.setState({
    kind: "legacy",
    accessToken: "access-1",
    refreshToken: "refresh-1",
    expiresAt: Date.now() + 900_000,
    user,
  });
  return user;
}

export function renderWithProviders(ui: ReactElement, { route = "/" }: { route?: string } = {}) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } },
  });
  return {
    client,
    ...render(
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={[route]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>{ui}</MemoryRouter>
      </QueryClientProvider>,
    ),
  };
}

export function json(body: unknown, status = 200, contentType = "application/json"): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": contentType } });
}

export function problem(status: number, title: string, detail?: string, extra: object = {}): Response {
  return json(
    { type: "about:blank", title, status, detail, request_id: "req-1", ...extra },
    status,
    "application/problem+json",
  );
}

type Handler = (request: Request) => Response | Promise<Response> | undefined;

/** Replace `fetch`: each request goes to the first handler that answers; unanswered: 404. */
export function mockFetch(...handlers: Handler[]) {
  const calls: Request[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    calls.push(request.clone());
    for (const handler of handlers) {
      const response = await handler(request);
      if (response) return response;
    }
    return problem(404, "Not Found", `no mock for ${request.method} ${request.url}`);
  });
  vi.stubGlobal("fetch", fn);
  return { fn, calls };
}

export function route(method: string, path: string, respond: (request: Request) => Response | Promise<Response>): Handler {
  return (request) => {
    const url = new URL(request.url);
    return request.method === method && url.pathname === path ? respond(request) : undefined;
  };
}

/** The hotel of the signed-in users (`ent-1`), as `GET /properties` describes it. */
export const HOTEL: PropertyView = {
  enterprise_id: "ent-1",
  name: "Harbour View Hotel",
  short_name: "Harbour View",
  time_zone: "America/New_York",
  default_currency: "USD",
  pricing: "net",
  default_language_code: "en-US",
  phase: "live",
};

/** `GET /properties` answering with these hotels. */
export function properties(...hotels: PropertyView[]): Handler {
  return route("GET", "/api/v1/properties", () => json(hotels.length ? hotels : [HOTEL]));
}
