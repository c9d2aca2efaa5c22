import { describe, expect, it } from "vitest";
import { screen } from "@testing-library/react";
import { Route, Routes, useLocation } from "react-router-dom";
import { HomeRedirect, ProtectedRoute } from "./ProtectedRoute";
import { renderWithProviders, signInAs } from "../../test/utils";

function SignInProbe() {
  const location = useLocation();
  return <p>Sign-in page (from {(location.state as { from?: string } | null)?.from})</p>;
}

function renderAt(path: string) {
  return renderWithProviders(
    <Routes>
      <Route path="/sign-in" element={<SignInProbe />} />
      <Route element={<ProtectedRoute />}>
        <Route path="/" element={<HomeRedirect />} />
        <Route path="/forbidden" element={<p>Not allowed</p>} />
        <Route path="/dashboard" element={<p>Dashboard</p>} />
        <Route path="/vendor" element={<p>Vendor portal</p>} />
        <Route element={<ProtectedRoute roles={["admin"]} />}>
          <Route path="/users" element={<p>Users admin</p>} />
        </Route>
        <Route element={<ProtectedRoute permissions={["sync:read"]} />}>
          <Route path="/sync" element={<p>Sync status</p>} />
        </Route>
      </Route>
    </Routes>,
    { route: path },
  );
}


describe("ProtectedRoute", () => {
  it("sends a signed-out visitor to sign in, remembering where they were going", () => {
    renderAt("/users?x=1");
    expect(screen.getByText("Sign-in page (from /users?x=1)")).toBeInTheDocument();
  });

  it("lets an admin into an admin page", () => {
    signInAs("admin");
    renderAt("/users");
    expect(screen.getByText("Users admin")).toBeInTheDocument();
  });

  it.each(["manager", "front_desk", "vendor"] as const)("keeps a %s out of the admin page", (role) => {
    signInAs(role);
    renderAt("/users");
    expect(screen.getByText("Not allowed")).toBeInTheDocument();
  });

  it("checks permissions too", () => {
    signInAs("manager");
    const first = renderAt("/sync");
    expect(screen.getByText("Sync status")).toBeInTheDocument();
    first.unmount();
    signInAs("front_desk");
    renderAt("/sync");
    expect(screen.getByText("Not allowed")).toBeInTheDocument();
  });

  it("starts each role on its own page", () => {
    signInAs("vendor");
    renderAt("/");
    expect(screen.getByText("Vendor portal")).toBeInTheDocument();
  });

  it("starts staff on the dashboard", () => {
    signInAs("front_desk");
    renderAt("/");
    expect(screen.getByText("Dashboard")).toBeInTheDocument();
  });
});
