import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router-dom";
import type { GuestEditView, GuestView, StaffGuestDetail } from "../../api/types";
import { GuestPage } from "./GuestPage";
import { editBody, formValues } from "../../features/guests/edits";
import { json, mockFetch, properties, renderWithProviders, route, signInAs } from "../../test/utils";

const SEEN = "2026-12-03T10:00:00Z";

const guest: GuestView = {
  guest_id: "g-1",
  enterprise_id: "ent-1",
  mews_id: "m-g-1",
  mews_updated_utc: SEEN,
  synced_at: SEEN,
  first_name: "Anna",
  last_name: "Smith",
  email: "anna@example.com",
  phone: "+420 111 222 333",
  notes: "Early riser",
  classifications: [],
  is_active: true,
  sync_state: "in_step",
};

function detail(extra: Partial<GuestView> = {}, edits: GuestEditView[] = []): StaffGuestDetail {
  return { view: "staff", guest: { ...guest, ...extra }, stays: [], timeline: [], edits };
}

const conflict: GuestEditView = {
  edit_id: "e-1",
  guest_id: "g-1",
  author_user_id: "u-front_desk",
  created_at: SEEN,
  base_version: SEEN,
  state: "conflict",
  fields: [
    { field: "phone", value: "+44 7700 900123", base: null, mews_value: "+420 999 888 777", state: "conflict" },
    { field: "email", value: "anna@new.example", base: "anna@example.com", state: "in_step" },
  ],
  history: [],
};

function renderPage() {
  return renderWithProviders(
    <Routes>
      <Route path="/guests/:guestId" element={<GuestPage />} />
    </Routes>,
    { route: "/guests/g-1" },
  );
}

describe("editing a guest", () => {
  it("sends only what changed, with the version the form was filled from, then shows it saving", async () => {
    signInAs("front_desk");
    let saved = false;
    const { calls } = mockFetch(
      properties(),
      route("GET", "/api/v1/guests/g-1", () =>
        json(saved ? detail({ sync_state: "saving" }) : detail()),
      ),
      route("PATCH", "/api/v1/guests/g-1", () => {
        saved = true;
        return json({ edit: { ...conflict, state: "saving", fields: [] }, sync_state: "saving" });
      }),
    );
    renderPage();
    const contact = await screen.findByRole("region", { name: "Contact" });
    expect(within(contact).getByRole("status", { name: "Sync: in step with Mews" })).toBeInTheDocument();
    await userEvent.click(within(contact).getByRole("button", { name: "Edit" }));

    const form = within(contact).getByRole("form", { name: "Edit guest" });
    const phone = within(form).getByLabelText("Phone");
    expect(phone).toHaveValue("+420 111 222 333");
    await userEvent.clear(phone);
    await userEvent.type(phone, " +44 7700 900123 ");
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));

    const patch = await waitFor(() => {
      const found = calls.find((c) => c.method === "PATCH");
      expect(found).toBeDefined();
      return found!;
    });
    expect(await patch.json()).toEqual({ base_version: SEEN, phone: "+44 7700 900123" });
    expect(await within(contact).findByRole("status", { name: "Sync: saving to Mews…" })).toBeInTheDocument();
    expect(within(contact).queryByRole("form", { name: "Edit guest" })).not.toBeInTheDocument();
  });

  it("says when nothing changed and sends nothing", async () => {
    signInAs("manager");
    const { calls } = mockFetch(properties(), route("GET", "/api/v1/guests/g-1", () => json(detail())));
    renderPage();
    const contact = await screen.findByRole("region", { name: "Contact" });
    await userEvent.click(within(contact).getByRole("button", { name: "Edit" }));
    await userEvent.click(within(contact).getByRole("button", { name: "Save" }));
    expect(within(contact).getByText("Nothing changed.")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "PATCH")).toBe(false);
  });

  it("offers no edit to a role that may not change guests", async () => {
    signInAs("front_desk", {
      permissions: ["self:read", "events:read", "guests:read", "guests:contact:read"],
    });
    mockFetch(properties(), route("GET", "/api/v1/guests/g-1", () => json(detail())));
    renderPage();
    const contact = await screen.findByRole("region", { name: "Contact" });
    expect(within(contact).queryByRole("button", { name: "Edit" })).not.toBeInTheDocument();
  });

  it("shows a conflict with both values and sends the user's choice", async () => {
    signInAs("front_desk");
    const { calls } = mockFetch(
      properties(),
      route("GET", "/api/v1/guests/g-1", () => json(detail({ sync_state: "conflict" }, [conflict]))),
      route("POST", "/api/v1/guests/g-1/conflicts/resolve", () =>
        json({ edit: { ...conflict, state: "saving" }, sync_state: "saving" }),
      ),
    );
    renderPage();
    const waiting = await screen.findByRole("region", { name: "Waiting for your choice" });
    const item = within(waiting).getByRole("listitem");
    expect(within(item).getByText("Phone")).toBeInTheDocument();
    expect(within(item).getByText("+44 7700 900123")).toBeInTheDocument();
    expect(within(item).getByText("+420 999 888 777")).toBeInTheDocument();
    // The field that merged is not asked about.
    expect(within(waiting).queryByText("Email")).not.toBeInTheDocument();
    expect(screen.getByRole("status", { name: "Sync: conflict" })).toBeInTheDocument();

    await userEvent.click(within(item).getByRole("button", { name: "Keep yours for Phone" }));
    const post = await waitFor(() => {
      const found = calls.find((c) => c.method === "POST" && c.url.endsWith("/conflicts/resolve"));
      expect(found).toBeDefined();
      return found!;
    });
    expect(await post.json()).toEqual({ edit_id: "e-1", choices: [{ field: "phone", keep: "ours" }] });
  });

  it("says why Mews refused an edit", async () => {
    signInAs("front_desk");
    const failed: GuestEditView = {
      ...conflict,
      state: "failed",
      failure: "Another customer with the same email already exists.",
      fields: [{ field: "email", value: "taken@example.com", base: "anna@example.com", state: "failed" }],
    };
    mockFetch(properties(), route("GET", "/api/v1/guests/g-1", () => json(detail({}, [failed]))));
    renderPage();
    expect(
      await screen.findByText("Mews refused the change of Email: Another customer with the same email already exists."),
    ).toBeInTheDocument();
  });
});

describe("the edit's body", () => {
  it("holds the trimmed changed fields only, never an emptied one", () => {
    const values = { ...formValues(guest), phone: "  +44 1 ", email: "", notes: "Early riser" };
    expect(editBody(guest, values)).toEqual({ base_version: SEEN, phone: "+44 1" });
    expect(editBody(guest, formValues(guest))).toBeNull();
  });
});
