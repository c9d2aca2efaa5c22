import { describe, expect, it } from "vitest";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router-dom";
import { SignInPage, validateSignIn } from "./SignInPage";
import { useSession } from "../../lib/session";
import { json, makeUser, mockFetch, problem, renderWithProviders, route } from "../../test/utils";

function renderSignIn() {
  return renderWithProviders(
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/" element={<p>Home page</p>} />
    </Routes>,
    { route: "/sign-in" },
  );
}


describe("sign-in", () => {
  it("validates the fields before calling the API", async () => {
    const { fn } = mockFetch();
    renderSignIn();
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Sign in" }));

    const email = screen.getByLabelText(/Email/);
    expect(email).toHaveAttribute("aria-invalid", "true");
    expect(email).toHaveAccessibleDescription("Enter your email address.");
    expect(screen.getByLabelText(/Password/)).toHaveAccessibleDescription("Enter your password.");
    expect(email).toHaveFocus();

    await user.type(email, "not-an-email");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(email).toHaveAccessibleDescription("Enter a valid email address.");
    expect(fn).not.toHaveBeenCalled();
  });

  it("shows the problem details of a refused sign-in", async () => {
    mockFetch(
      route("POST", "/api/v1/auth/login", () =>
        problem(401, "Unauthorized", "The email or password is not right."),
      ),
    );
    renderSignIn();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/Email/), "desk@hotel.test");
    await user.type(screen.getByLabelText(/Password/), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Unauthorized");
    expect(alert).toHaveTextContent("The email or password is not right.");
    expect(alert).toHaveTextContent("req-1");
    expect(useSession.getState().accessToken).toBeNull();
  });

  it("lists the invalid fields of a 400 problem", async () => {
    mockFetch(
      route("POST", "/api/v1/auth/login", () =>
        problem(400, "Bad Request", "Validation failed", {
          errors: [{ key: "email", message: "Expected `str` of length >= 3" }],
        }),
      ),
    );
    renderSignIn();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/Email/), "a@b");
    await user.type(screen.getByLabelText(/Password/), "x");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("email: Expected `str` of length >= 3");
  });

  it("signs in, keeps the tokens and goes on", async () => {
    const { calls } = mockFetch(
      route("POST", "/api/v1/auth/login", () =>
        json({
          access_token: "a1",
          token_type: "Bearer",
          expires_in: 900,
          refresh_token: "r1",
          refresh_expires_at: "2030-01-01T00:00:00Z",
          user: makeUser("manager"),
        }),
      ),
    );
    renderSignIn();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/Email/), " manager@hotel.test ");
    await user.type(screen.getByLabelText(/Password/), "secret");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByText("Home page")).toBeInTheDocument();
    expect(await calls[0]?.json()).toEqual({ email: "manager@hotel.test", password: "secret" });
    const session = useSession.getState();
    expect(session).toMatchObject({ kind: "legacy", accessToken: "a1", refreshToken: "r1" });
    expect(session.user?.role).toBe("manager");
  });

  it("validateSignIn accepts a good pair", () => {
    expect(validateSignIn("a@b.c", "x")).toEqual({});
  });
});
