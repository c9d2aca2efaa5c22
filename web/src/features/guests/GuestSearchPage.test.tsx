import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router-dom";
import { GuestSearchPage } from "./GuestSearchPage";
import { HOTEL, json, mockFetch, problem, properties, renderWithProviders, route, signInAs } from "../../test/utils";

const guest = (id: string, first: string, last: string, email: string) => ({
  guest_id: id,
  enterprise_id: "ent-1",
  mews_id: `m-${id}`,
  mews_updated_utc: "2025-01-01T00:00:00Z",
  synced_at: "2025-01-01T00:00:00Z",
  first_name: first,
  last_name: last,
  email,
  phone: null,
  is_active: true,
});


describe("guest search", () => {
  it("searches and lists guests with links to their pages", async () => {
    signInAs("front_desk");
    const { calls } = mockFetch(
      route("GET", "/api/v1/guests", (req) => {
        const q = new URL(req.url).searchParams.get("q");
        return json({
          view: "staff",
          items: q === "smith" ? [guest("g1", "Anna", "Smith", "anna@x.test"), guest("g2", "Bob", "Smith", "bob@x.test")] : [],
          next_cursor: null,
        });
      }),
    );
    renderWithProviders(
      <Routes>
        <Route path="/guests" element={<GuestSearchPage />} />
      </Routes>,
      { route: "/guests" },
    );
    expect(await screen.findByText("No guests found.")).toBeInTheDocument();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/Search by name/), "smith");
    await user.click(screen.getByRole("button", { name: "Search" }));

    const table = await screen.findByRole("table", { name: "Guests found" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(within(table).getByRole("link", { name: "Anna Smith" })).toHaveAttribute("href", "/guests/g1");
    expect(within(table).getByText("bob@x.test")).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("2 guests");
    const last = new URL(calls.at(-1)!.url);
    expect(last.searchParams.get("q")).toBe("smith");
    // A property's staff never name the enterprise: the gateway uses theirs.
    expect(last.searchParams.has("enterprise_id")).toBe(false);
  });

  it("shows the vendor view without contact columns", async () => {
    signInAs("vendor");
    mockFetch(
      route("GET", "/api/v1/guests", () =>
        json({ view: "vendor", items: [{ guest_id: "g1", enterprise_id: "ent-1", first_name: "Anna", last_name: "Smith" }] }),
      ),
    );
    renderWithProviders(
      <Routes>
        <Route path="/guests" element={<GuestSearchPage />} />
      </Routes>,
      { route: "/guests?q=anna" },
    );
    const table = await screen.findByRole("table", { name: "Guests found" });
    expect(within(table).getByRole("link", { name: "Anna Smith" })).toBeInTheDocument();
    expect(within(table).queryByText("Email")).not.toBeInTheDocument();
  });

  it("asks a portfolio-wide user to pick a property first, by the hotel's name", async () => {
    signInAs("front_desk", { enterprise_id: null });
    const { calls } = mockFetch(
      properties(HOTEL, { ...HOTEL, enterprise_id: "ent-2", name: "Old Town Inn", short_name: null }),
      route("GET", "/api/v1/guests", () => json({ view: "staff", items: [], next_cursor: null })),
    );
    renderWithProviders(
      <Routes>
        <Route path="/guests" element={<GuestSearchPage />} />
      </Routes>,
      { route: "/guests" },
    );
    expect(screen.getByText("Choose a property to see its guests.")).toBeInTheDocument();
    const picker = screen.getByRole("combobox", { name: "Property" });
    expect(await within(picker).findByRole("option", { name: "Harbour View Hotel" })).toHaveValue("ent-1");
    expect(within(picker).getByRole("option", { name: "Old Town Inn" })).toHaveValue("ent-2");
    // Names, not ids.
    expect(within(picker).queryByRole("option", { name: /^ent-/ })).not.toBeInTheDocument();
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual(["/api/v1/properties"]);

    await userEvent.setup().selectOptions(picker, "Old Town Inn");
    expect(await screen.findByText("No guests found.")).toBeInTheDocument();
    expect(new URL(calls.at(-1)!.url).searchParams.get("enterprise_id")).toBe("ent-2");
  });

  it("lets a portfolio-wide user type the property's id when the hotels cannot be listed", async () => {
    signInAs("front_desk", { enterprise_id: null });
    mockFetch(route("GET", "/api/v1/properties", () => problem(503, "Service Unavailable")));
    renderWithProviders(
      <Routes>
        <Route path="/guests" element={<GuestSearchPage />} />
      </Routes>,
      { route: "/guests" },
    );
    expect(await screen.findByLabelText("Property (enterprise id)")).toBeInTheDocument();
  });
});
