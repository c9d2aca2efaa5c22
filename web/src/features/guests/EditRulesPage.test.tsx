import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { EditRules } from "../../api/types";
import { json, mockFetch, properties, renderWithProviders, route, signInAs } from "../../test/utils";
import { EditRulesPage } from "./EditRulesPage";

const HELD: EditRules = {
  enterprise_id: "ent-1",
  rules: [
    { field: "email", rule: "ask" },
    { field: "phone", rule: "ask" },
    { field: "notes", rule: "we_win" },
  ],
};

describe("the hotel's rules for conflicting edits", () => {
  it("lets a manager set a field's rule and sends only what changed", async () => {
    signInAs("manager");
    const { calls } = mockFetch(
      properties(),
      route("GET", "/api/v1/properties/ent-1/edit-rules", () => json(HELD)),
      route("PUT", "/api/v1/properties/ent-1/edit-rules", () =>
        json({ ...HELD, rules: HELD.rules.map((r) => (r.field === "phone" ? { ...r, rule: "newest_wins" } : r)) }),
      ),
    );
    renderWithProviders(<EditRulesPage />);
    const form = await screen.findByRole("form", { name: "Edit rules" });
    expect(within(form).getByLabelText("Notes")).toHaveValue("we_win");
    const phone = within(form).getByLabelText("Phone");
    expect(phone).toHaveValue("ask");
    expect(within(phone).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Ask",
      "Mews wins",
      "We win",
      "Newest wins",
    ]);
    await userEvent.selectOptions(phone, "Newest wins");
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));

    const put = await waitFor(() => {
      const found = calls.find((c) => c.method === "PUT");
      expect(found).toBeDefined();
      return found!;
    });
    expect(await put.json()).toEqual({ rules: [{ field: "phone", rule: "newest_wins" }] });
    expect(await within(form).findByRole("status")).toHaveTextContent("Saved.");
    expect(within(form).getByLabelText("Phone")).toHaveValue("newest_wins");
  });

  it("says when nothing changed and sends nothing", async () => {
    signInAs("manager");
    const { calls } = mockFetch(
      properties(),
      route("GET", "/api/v1/properties/ent-1/edit-rules", () => json(HELD)),
    );
    renderWithProviders(<EditRulesPage />);
    const form = await screen.findByRole("form", { name: "Edit rules" });
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(within(form).getByRole("status")).toHaveTextContent("Nothing changed.");
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });
});
