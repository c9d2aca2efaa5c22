import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Catalogue } from "../../api/types";
import { formatMoney } from "../../components/format";
import { Offerings } from "./Offerings";
import { HOTEL, json, mockFetch, problem, properties, renderWithProviders, route, signInAs } from "../../test/utils";

const catalogue: Catalogue = {
  enterprise_id: "ent-1",
  default_currency: "USD",
  pricing: "net",
  services: [
    {
      mews_id: "svc-stay",
      name: "Accommodation",
      kind: "bookable",
      is_active: true,
      products: [{ mews_id: "prod-breakfast", name: "Breakfast", unit_amount: "12.00", currency: "USD", is_active: true }],
    },
    {
      mews_id: "svc-spa",
      name: "Spa",
      kind: "additional",
      is_active: true,
      products: [
        { mews_id: "prod-massage", name: "Massage 60 min", unit_amount: "80.0000", currency: "USD", is_active: true },
        { mews_id: "prod-sauna", name: "Sauna access", unit_amount: null, currency: null, is_active: true },
        { mews_id: "prod-old", name: "Old ritual", unit_amount: "50.00", currency: "USD", is_active: false },
      ],
    },
    { mews_id: "svc-minibar", name: "Minibar", kind: "additional", is_active: false, products: [] },
    {
      mews_id: "svc-parking",
      name: "Parking",
      kind: "additional",
      is_active: true,
      products: [{ mews_id: "prod-garage", name: "Garage", unit_amount: "15", currency: "USD", is_active: true }],
    },
  ],
};

const noOfferings = route("GET", "/api/v1/vendors/v-1/offerings", () => json({ items: [], total: 0 }));
const theCatalogue = route("GET", "/api/v1/properties/ent-1/catalogue", () => json(catalogue));

const MASSAGE = `Massage 60 min — ${formatMoney("80", "USD")}`;
const GARAGE = `Garage — ${formatMoney("15", "USD")}`;

function optionNames(select: HTMLElement): string[] {
  return within(select)
    .getAllByRole("option")
    .map((o) => o.textContent ?? "");
}

async function openNewForm() {
  renderWithProviders(<Offerings vendorId="v-1" enterpriseId="ent-1" canWrite />);
  const user = userEvent.setup();
  await user.click(await screen.findByRole("button", { name: "Add service" }));
  return { user, form: screen.getByRole("form", { name: "New service" }) };
}

describe("offering form", () => {
  it("offers the hotel's active additional services, then the chosen one's products, and fills in the price", async () => {
    signInAs("manager");
    const { calls } = mockFetch(
      properties(),
      noOfferings,
      theCatalogue,
      route("POST", "/api/v1/vendors/v-1/offerings", async (req) => json({ offering_id: "o-1", ...(await req.json()) }, 201)),
    );
    const { user, form } = await openNewForm();

    const service = within(form).getByRole("combobox", { name: /Mews service/ });
    const product = within(form).getByRole("combobox", { name: /Mews product/ });
    await within(service).findByRole("option", { name: "Spa" });
    // Bookable (Accommodation) and inactive (Minibar) services are not for offerings.
    expect(optionNames(service)).toEqual(["Choose a service", "Spa", "Parking"]);
    expect(product).toBeDisabled();

    await user.selectOptions(service, "Spa");
    expect(product).toBeEnabled();
    expect(optionNames(product)).toEqual(["None", MASSAGE, "Sauna access"]);

    // The hotel's currency, not editable; its pricing (net) decides the tax default.
    const currency = within(form).getByRole("textbox", { name: "Currency" });
    expect(currency).toHaveValue(HOTEL.default_currency);
    expect(currency).toHaveAttribute("readonly");
    expect(within(form).getByRole("checkbox", { name: "The price includes tax" })).not.toBeChecked();

    await user.selectOptions(product, MASSAGE);
    expect(within(form).getByRole("textbox", { name: /Unit price/ })).toHaveValue("80.00");
    expect(within(form).getByRole("textbox", { name: /^Name/ })).toHaveValue("Massage 60 min");

    // A product without a price leaves the price as it is.
    await user.selectOptions(product, "Sauna access");
    expect(within(form).getByRole("textbox", { name: /Unit price/ })).toHaveValue("80.00");

    // Another service: its own products, none chosen.
    await user.selectOptions(service, "Parking");
    expect(product).toHaveValue("");
    expect(optionNames(product)).toEqual(["None", GARAGE]);
    await user.selectOptions(service, "Spa");
    await user.selectOptions(product, MASSAGE);

    await user.click(within(form).getByRole("button", { name: "Add service" }));
    const post = calls.find((c) => c.method === "POST")!;
    expect(await post.json()).toEqual({
      name: "Massage 60 min",
      description: null,
      unit_price: "80.00",
      amount_is_gross: false,
      tax_codes: [],
      mews_service_id: "svc-spa",
      mews_product_id: "prod-massage",
      accounting_category_id: null,
    });
  });

  it("needs a service, and leaves the product optional", async () => {
    signInAs("manager");
    const { calls } = mockFetch(
      properties(),
      noOfferings,
      theCatalogue,
      route("POST", "/api/v1/vendors/v-1/offerings", async (req) => json({ offering_id: "o-1", ...(await req.json()) }, 201)),
    );
    const { user, form } = await openNewForm();
    const service = within(form).getByRole("combobox", { name: /Mews service/ });
    await within(service).findByRole("option", { name: "Spa" });
    await user.type(within(form).getByRole("textbox", { name: /^Name/ }), "Spa day");
    await user.type(within(form).getByRole("textbox", { name: /Unit price/ }), "120");
    await user.click(within(form).getByRole("button", { name: "Add service" }));
    expect(service).toHaveAccessibleDescription("Choose the Mews service the charge posts to.");
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await user.selectOptions(service, "Spa");
    await user.click(within(form).getByRole("button", { name: "Add service" }));
    const post = calls.find((c) => c.method === "POST")!;
    expect(await post.json()).toMatchObject({ mews_service_id: "svc-spa", mews_product_id: null, unit_price: "120" });
  });

  it("shows why the gateway refused the offering", async () => {
    signInAs("manager");
    let answer = problem(409, "Conflict", "The hotel's services are not synced from Mews yet.");
    mockFetch(properties(), noOfferings, theCatalogue, route("POST", "/api/v1/vendors/v-1/offerings", () => answer));
    const { user, form } = await openNewForm();
    const service = within(form).getByRole("combobox", { name: /Mews service/ });
    await within(service).findByRole("option", { name: "Spa" });
    await user.selectOptions(service, "Spa");
    await user.selectOptions(within(form).getByRole("combobox", { name: /Mews product/ }), MASSAGE);
    await user.click(within(form).getByRole("button", { name: "Add service" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("The hotel's services are not synced from Mews yet.");

    answer = problem(422, "Unprocessable Entity", "The product is not one of the service's.", {
      errors: [{ key: "mews_product_id", message: "Not a product of service svc-spa." }],
    });
    await user.click(within(form).getByRole("button", { name: "Add service" }));
    expect(await within(form).findByText("The product is not one of the service's.")).toBeInTheDocument();
    expect(within(form).getByRole("combobox", { name: /Mews product/ })).toHaveAccessibleDescription(
      "Not a product of service svc-spa.",
    );
  });

  it("lets a vendor pick from its hotel's catalogue too", async () => {
    signInAs("vendor");
    mockFetch(properties(), noOfferings, theCatalogue);
    const { form } = await openNewForm();
    const service = within(form).getByRole("combobox", { name: /Mews service/ });
    await within(service).findByRole("option", { name: "Spa" });
    expect(within(form).queryByRole("textbox", { name: /Mews service id/ })).not.toBeInTheDocument();
  });

  it("falls back to typed ids when the catalogue cannot be read", async () => {
    signInAs("vendor");
    mockFetch(
      properties(),
      noOfferings,
      route("GET", "/api/v1/properties/ent-1/catalogue", () => problem(503, "Service Unavailable")),
    );
    const { form } = await openNewForm();
    expect(await within(form).findByRole("textbox", { name: /Mews service id/ })).toBeInTheDocument();
    expect(within(form).queryByRole("combobox", { name: /Mews service/ })).not.toBeInTheDocument();
  });
});
