import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import type { GuestView, VendorSafeGuest } from "../../api/types";
import { EnterprisePicker, NeedsEnterprise } from "../../components/EnterprisePicker";
import { ProblemAlert } from "../../components/ProblemAlert";
import { fullName } from "../../components/format";
import { Badge, Button, Card, Empty, Loading, PageHeader, Table, Td, Th } from "../../components/ui";
import { useEnterprise } from "../../lib/enterprise";
import { useGuestSearch } from "./api";

function isStaffGuest(guest: GuestView | VendorSafeGuest): guest is GuestView {
  return "mews_id" in guest;
}

export function GuestSearchPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const [text, setText] = useState(q);
  const { enterpriseId, portfolioWide } = useEnterprise();
  const search = useGuestSearch(enterpriseId, q, portfolioWide);
  const guests = search.data?.pages.flatMap((p) => p.items as (GuestView | VendorSafeGuest)[]) ?? [];
  const staff = search.data?.pages[0]?.view === "staff";

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setParams(text.trim() ? { q: text.trim() } : {});
  }

  return (
    <>
      <PageHeader title="Guests">
        <EnterprisePicker />
      </PageHeader>
      <form role="search" aria-label="Guests" onSubmit={onSubmit} className="mb-4 flex items-end gap-2">
        <div className="w-full max-w-md">
          <label htmlFor="guest-q" className="block text-sm font-medium text-slate-700">
            Search by name, email, phone, room or reservation number
          </label>
          <input
            id="guest-q"
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm"
          />
        </div>
        <Button type="submit">Search</Button>
      </form>
      {portfolioWide && !enterpriseId ? (
        <NeedsEnterprise />
      ) : (
        <Card>
          <ProblemAlert error={search.error} />
          {search.isLoading ? (
            <Loading label="Searching…" />
          ) : guests.length === 0 && !search.error ? (
            <Empty>No guests found.</Empty>
          ) : guests.length > 0 ? (
            <>
              <p role="status" className="mb-2 text-sm text-slate-600">
                {guests.length} {guests.length === 1 ? "guest" : "guests"}
                {search.hasNextPage ? " (more available)" : ""}
              </p>
              <Table caption="Guests found">
                <thead>
                  <tr>
                    <Th>Name</Th>
                    {staff ? (
                      <>
                        <Th>Email</Th>
                        <Th>Phone</Th>
                        <Th>Status</Th>
                      </>
                    ) : null}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {guests.map((guest) => (
                    <tr key={guest.guest_id}>
                      <Td>
                        <Link className="font-medium text-indigo-700 underline" to={`/guests/${guest.guest_id}`}>
                          {fullName(guest)}
                        </Link>
                      </Td>
                      {isStaffGuest(guest) ? (
                        <>
                          <Td>{guest.email ?? "—"}</Td>
                          <Td>{guest.phone ?? "—"}</Td>
                          <Td>
                            <Badge tone={guest.is_active === false ? "slate" : "green"}>
                              {guest.is_active === false ? "inactive" : "active"}
                            </Badge>
                          </Td>
                        </>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </Table>
              {search.hasNextPage ? (
                <Button
                  variant="secondary"
                  className="mt-3"
                  disabled={search.isFetchingNextPage}
                  onClick={() => void search.fetchNextPage()}
                >
                  {search.isFetchingNextPage ? "Loading…" : "Show more"}
                </Button>
              ) : null}
            </>
          ) : null}
        </Card>
      )}
    </>
  );
}
