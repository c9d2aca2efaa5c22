import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router-dom";
import type { StaffStay, StayNoteWriteView, StayView } from "../../api/types";
import { json, mockFetch, properties, renderWithProviders, route, signInAs } from "../../test/utils";
import { StayPage } from "./StayPage";

const AT = "2026-12-03T10:00:00Z";

const stay: StayView = {
  stay_id: "s-1",
  enterprise_id: "ent-1",
  mews_id: "m-s-1",
  mews_updated_utc: AT,
  synced_at: AT,
  number: "4021",
  state: "started",
  mews_state: "Started",
  scheduled_start_utc: AT,
  scheduled_end_utc: "2026-12-05T10:00:00Z",
  resource_name: "204",
  guests: [{ customer_mews_id: "c-1", role: "owner", guest_id: "g-1", first_name: "Anna", last_name: "Smith" }],
  notes: [{ mews_id: "n-1", text: "Late arrival", type: "General" }],
};

function write(extra: Partial<StayNoteWriteView>): StayNoteWriteView {
  return {
    write_id: "w-1",
    text: "Extra towels",
    author_user_id: "u-front_desk",
    created_at: AT,
    state: "saving",
    ...extra,
  };
}

function detail(writes: StayNoteWriteView[] = [], notes = stay.notes): StaffStay {
  return { view: "staff", stay: { ...stay, notes }, note_writes: writes };
}

function renderPage() {
  return renderWithProviders(
    <Routes>
      <Route path="/stays/:stayId" element={<StayPage />} />
    </Routes>,
    { route: "/stays/s-1" },
  );
}

describe("a stay's notes", () => {
  it("adds a note: saving, then in step once Mews has it", async () => {
    signInAs("front_desk");
    let answer = detail();
    const { calls } = mockFetch(
      properties(),
      route("GET", "/api/v1/stays/s-1", () => json(answer)),
      route("POST", "/api/v1/stays/s-1/notes", () => {
        answer = detail([write({})]);
        return json({ write: write({}) }, 202);
      }),
    );
    renderPage();
    const notes = await screen.findByRole("region", { name: "Notes" });
    expect(within(notes).getByText("Late arrival")).toBeInTheDocument();
    await userEvent.click(within(notes).getByRole("button", { name: "Add a note" }));
    const form = within(notes).getByRole("form", { name: "Add a note" });
    await userEvent.type(within(form).getByLabelText("Note"), "  Extra towels ");
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));

    const post = await waitFor(() => {
      const found = calls.find((c) => c.method === "POST");
      expect(found).toBeDefined();
      return found!;
    });
    expect(await post.json()).toEqual({ text: "Extra towels" });
    expect(await within(notes).findByRole("status", { name: "Note: saving to Mews…" })).toBeInTheDocument();
    expect(within(notes).getByText("Extra towels")).toBeInTheDocument();

    // Mews took it: the stay shows the note as Mews holds it, in step.
    answer = detail(
      [write({ state: "in_step", note_mews_id: "n-2", mews_text: "Extra towels" })],
      [...(stay.notes ?? []), { mews_id: "n-2", text: "Extra towels", type: "General" }],
    );
    expect(
      await within(notes).findByRole("status", { name: "Note: in step with Mews" }, { timeout: 3000 }),
    ).toBeInTheDocument();
    expect(within(notes).getAllByText("Extra towels")).toHaveLength(1);
  });

  it("changes a note as the user saw it, and shows a conflict with both texts", async () => {
    signInAs("manager");
    let answer = detail();
    const { calls } = mockFetch(
      properties(),
      route("GET", "/api/v1/stays/s-1", () => json(answer)),
      route("PUT", "/api/v1/stays/s-1/notes/n-1", () => {
        answer = detail([
          write({
            note_mews_id: "n-1",
            text: "Late arrival, 23:00",
            base_text: "Late arrival",
            state: "conflict",
            mews_text: "Arrives tomorrow",
          }),
        ]);
        return json({ write: write({ note_mews_id: "n-1", text: "Late arrival, 23:00" }) }, 202);
      }),
    );
    renderPage();
    const notes = await screen.findByRole("region", { name: "Notes" });
    await userEvent.click(within(notes).getByRole("button", { name: "Edit note: Late arrival" }));
    const form = within(notes).getByRole("form", { name: "Edit note" });
    const field = within(form).getByLabelText("Note");
    expect(field).toHaveValue("Late arrival");
    await userEvent.type(field, ", 23:00");
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));

    const put = await waitFor(() => {
      const found = calls.find((c) => c.method === "PUT");
      expect(found).toBeDefined();
      return found!;
    });
    expect(await put.json()).toEqual({ text: "Late arrival, 23:00", base_text: "Late arrival" });

    const conflict = await within(notes).findByRole("group", { name: "Note conflict" });
    expect(within(conflict).getByText("Late arrival, 23:00")).toBeInTheDocument();
    expect(within(conflict).getByText("Arrives tomorrow")).toBeInTheDocument();
    expect(within(notes).getByRole("status", { name: "Note: conflict" })).toBeInTheDocument();
    // Editing again starts from Mews's text: what the next write is judged against.
    await userEvent.click(within(conflict).getByRole("button", { name: "Edit from Mews's text" }));
    expect(within(within(notes).getByRole("form", { name: "Edit note" })).getByLabelText("Note")).toHaveValue(
      "Arrives tomorrow",
    );
  });

  it("says when nothing changed and sends nothing", async () => {
    signInAs("front_desk");
    const { calls } = mockFetch(properties(), route("GET", "/api/v1/stays/s-1", () => json(detail())));
    renderPage();
    const notes = await screen.findByRole("region", { name: "Notes" });
    await userEvent.click(within(notes).getByRole("button", { name: "Edit note: Late arrival" }));
    await userEvent.click(within(notes).getByRole("button", { name: "Save" }));
    expect(within(notes).getByText("Nothing changed.")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });

  it("offers no writing to staff without the permission", async () => {
    signInAs("front_desk", {
      permissions: ["self:read", "events:read", "guests:read", "guests:contact:read"],
    });
    mockFetch(properties(), route("GET", "/api/v1/stays/s-1", () => json(detail())));
    renderPage();
    const notes = await screen.findByRole("region", { name: "Notes" });
    expect(within(notes).getByText("Late arrival")).toBeInTheDocument();
    expect(within(notes).queryByRole("button", { name: "Add a note" })).not.toBeInTheDocument();
    expect(within(notes).queryByRole("button", { name: /Edit note/ })).not.toBeInTheDocument();
  });
});
