import { describe, expect, it, vi } from "vitest";
import { api, unwrap } from "./client";
import { ApiError } from "./problem";
import { useSession } from "../lib/session";
import { json, makeUser, mockFetch, problem, route, signInAs } from "../test/utils";

function pair(n: number) {
  return {
    access_token: `access-${n}`,
    token_type: "Bearer",
    expires_in: 900,
    refresh_token: `refresh-${n}`,
    refresh_expires_at: "2030-01-01T00:00:00Z",
    user: makeUser("front_desk"),
  };
}

const me = route("GET", "/api/v1/auth/me", (req) =>
  req.headers.get("Authorization") === "Bearer access-2"
    ? json(makeUser("front_desk"))
    : problem(401, "Unauthorized", "token expired"),
);


describe("api client", () => {
  it("sends the access token as a bearer token", async () => {
    signInAs("admin");
    const { calls } = mockFetch(route("GET", "/api/v1/auth/me", () => json(makeUser("admin"))));
    await unwrap(api.GET("/api/v1/auth/me"));
    expect(calls[0]?.headers.get("Authorization")).toBe("Bearer access-1");
  });

  it("refreshes once on a 401 and repeats the request with the new token", async () => {
    signInAs("front_desk");
    const refresh = vi.fn(async (req: Request) => {
      expect(await req.json()).toEqual({ refresh_token: "refresh-1" });
      return json(pair(2));
    });
    const { calls } = mockFetch(me, route("POST", "/api/v1/auth/refresh", refresh));

    const result = await unwrap(api.GET("/api/v1/auth/me"));

    expect(result.role).toBe("front_desk");
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual([
      "/api/v1/auth/me",
      "/api/v1/auth/refresh",
      "/api/v1/auth/me",
    ]);
    expect(useSession.getState().accessToken).toBe("access-2");
    expect(useSession.getState().refreshToken).toBe("refresh-2");
  });

  it("shares one refresh between concurrent requests (refresh tokens are single use)", async () => {
    signInAs("front_desk");
    const refresh = vi.fn(async () => {
      await new Promise((r) => setTimeout(r, 10));
      return json(pair(2));
    });
    mockFetch(me, route("POST", "/api/v1/auth/refresh", refresh));

    const results = await Promise.all([
      unwrap(api.GET("/api/v1/auth/me")),
      unwrap(api.GET("/api/v1/auth/me")),
      unwrap(api.GET("/api/v1/auth/me")),
    ]);

    expect(results).toHaveLength(3);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("ends the session when the refresh is refused, and throws the problem", async () => {
    signInAs("front_desk");
    mockFetch(me, route("POST", "/api/v1/auth/refresh", () => problem(401, "Unauthorized", "session ended")));

    const error = await unwrap(api.GET("/api/v1/auth/me")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect((error as ApiError).problem.detail).toBe("token expired");
    expect(useSession.getState().accessToken).toBeNull();
  });

  it("does not refresh for a failed sign-in", async () => {
    const { calls } = mockFetch(route("POST", "/api/v1/auth/login", () => problem(401, "Unauthorized", "wrong email or password")));
    await expect(unwrap(api.POST("/api/v1/auth/login", { body: { email: "a@b.c", password: "x" } }))).rejects.toThrow(
      "wrong email or password",
    );
    expect(calls).toHaveLength(1);
  });

  it("turns a network failure into a problem", async () => {
    signInAs("admin");
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    const error = (await unwrap(api.GET("/api/v1/auth/me")).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.problem.title).toBe("Network error");
  });
});
