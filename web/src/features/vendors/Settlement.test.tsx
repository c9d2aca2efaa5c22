import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { formatMoney } from "../../components/format";
import { Settlement } from "./Settlement";
import { HOTEL, json, mockFetch, problem, properties, renderWithProviders, route, signInAs } from "../../test/utils";

const CSV =
  "posted_at,guest,service,quantity,unit_amount,total,currency,state,bill_paid,mews_order_id,charge_id,booking_id\r\n" +
  "2026-11-20T10:00:00+00:00,Nora Finch,Massage 60 min,2,80.00,160.00,USD,posted,no,o-1,c-1,b-1\r\n";

const SETTLEMENT = {
  vendor_id: "v-1",
  from_utc: "2026-11-01T04:00:00Z",
  to_utc: "2026-11-21T05:00:00Z",
  totals: [{ currency: "USD", charges: 1, amount: "160.00" }],
  lines: [],
};

/** The settlement as JSON (the CSV handler comes first in each test's list). */
const settlementJson = route("GET", "/api/v1/vendors/v-1/settlement", () => json(SETTLEMENT));

/** What the page saved: the link it clicked and the file's content. */
interface Saved {
  download: string;
  href: string;
  content: string;
}

let saved: Saved[];
let revoked: string[];
let blobs: Map<string, Blob>;

beforeEach(() => {
  saved = [];
  revoked = [];
  blobs = new Map();
  // jsdom makes no object URLs and follows no links: the download is caught at the click.
  URL.createObjectURL = (blob: Blob) => {
    const url = `blob:settlement-${blobs.size + 1}`;
    blobs.set(url, blob);
    return url;
  };
  URL.revokeObjectURL = (url: string) => void revoked.push(url);
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    const href = this.getAttribute("href") ?? "";
    saved.push({ download: this.download, href, content: "" });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function contentOf(url: string): Promise<string> {
  return (await blobs.get(url)?.text()) ?? "";
}

function csvRoute(respond: (request: Request) => Response | Promise<Response>) {
  return (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/vendors/v-1/settlement" && request.headers.get("Accept") === "text/csv") return respond(request);
    return undefined;
  };
}

describe("the vendor's settlement", () => {
  it("downloads the period's lines as the gateway's CSV file, under the name it gives", async () => {
    signInAs("vendor");
    const { calls } = mockFetch(
      properties(HOTEL),
      csvRoute(
        () =>
          new Response(CSV, {
            headers: {
              "Content-Type": "text/csv; charset=utf-8",
              "Content-Disposition": 'attachment; filename="settlement-v-1-20261101-20261121.csv"',
            },
          }),
      ),
      settlementJson,
    );
    renderWithProviders(<Settlement vendorId="v-1" enterpriseId="ent-1" />);
    const card = await screen.findByRole("region", { name: "Settlement" });
    expect(await within(card).findByRole("cell", { name: formatMoney("160.00", "USD") })).toBeInTheDocument();

    await userEvent.click(within(card).getByRole("button", { name: "Download CSV" }));

    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.download).toBe("settlement-v-1-20261101-20261121.csv");
    expect(await contentOf(saved[0]!.href)).toBe(CSV);
    expect(revoked).toEqual([saved[0]!.href]);
    // The same period as the totals shown, asked for as CSV, with the caller's session.
    const shown = calls.find((c) => c.url.includes("/settlement") && c.headers.get("Accept") !== "text/csv")!;
    const asked = calls.find((c) => c.headers.get("Accept") === "text/csv")!;
    expect(new URL(asked.url).search).toBe(new URL(shown.url).search);
    expect(new URL(asked.url).searchParams.get("from")).toBeTruthy();
    expect(asked.headers.get("Authorization")).toBe("Bearer access-1");
    expect(within(card).getByRole("button", { name: "Download CSV" })).toBeEnabled();
  });

  it("cannot be clicked twice while the file is on its way", async () => {
    signInAs("vendor");
    let answer: (response: Response) => void = () => {};
    const { calls } = mockFetch(
      properties(HOTEL),
      csvRoute(() => new Promise<Response>((resolve) => (answer = resolve))),
      settlementJson,
    );
    renderWithProviders(<Settlement vendorId="v-1" enterpriseId="ent-1" />);
    const card = await screen.findByRole("region", { name: "Settlement" });
    await within(card).findByRole("table", { name: "Settlement totals per currency" });

    await userEvent.click(within(card).getByRole("button", { name: "Download CSV" }));
    const busy = await within(card).findByRole("button", { name: "Downloading…" });
    expect(busy).toBeDisabled();
    await userEvent.click(busy);
    expect(calls.filter((c) => c.headers.get("Accept") === "text/csv")).toHaveLength(1);

    answer(new Response(CSV, { headers: { "Content-Type": "text/csv" } }));
    // No name from the gateway: a plain one.
    await waitFor(() => expect(saved.map((s) => s.download)).toEqual(["settlement.csv"]));
    expect(await within(card).findByRole("button", { name: "Download CSV" })).toBeEnabled();
  });

  it("says so when the file cannot be had, and saves nothing", async () => {
    signInAs("vendor");
    mockFetch(
      properties(HOTEL),
      csvRoute(() => problem(403, "Forbidden", "not your vendor")),
      settlementJson,
    );
    renderWithProviders(<Settlement vendorId="v-1" enterpriseId="ent-1" />);
    const card = await screen.findByRole("region", { name: "Settlement" });
    await within(card).findByRole("table", { name: "Settlement totals per currency" });

    await userEvent.click(within(card).getByRole("button", { name: "Download CSV" }));

    // The gateway's reason, not a lost connection.
    const alert = await within(card).findByRole("alert");
    expect(alert).toHaveTextContent("Forbidden");
    expect(alert).toHaveTextContent("not your vendor");
    expect(alert).not.toHaveTextContent(/could not be reached/);
    expect(saved).toEqual([]);
    expect(within(card).getByRole("button", { name: "Download CSV" })).toBeEnabled();
  });

  it("names the status when the answer is no problem document", async () => {
    signInAs("vendor");
    mockFetch(
      properties(HOTEL),
      csvRoute(() => new Response("upstream gone", { status: 502, statusText: "Bad Gateway" })),
      settlementJson,
    );
    renderWithProviders(<Settlement vendorId="v-1" enterpriseId="ent-1" />);
    const card = await screen.findByRole("region", { name: "Settlement" });
    await within(card).findByRole("table", { name: "Settlement totals per currency" });

    await userEvent.click(within(card).getByRole("button", { name: "Download CSV" }));

    const alert = await within(card).findByRole("alert");
    expect(alert).toHaveTextContent("Bad Gateway");
    expect(alert).toHaveTextContent("The settlement could not be downloaded (502).");
    expect(saved).toEqual([]);
  });
});
