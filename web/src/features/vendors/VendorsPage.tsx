import { useState } from "react";
import { Link } from "react-router-dom";
import { EnterprisePicker } from "../../components/EnterprisePicker";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Badge, Button, Card, Empty, Loading, PageHeader, Table, Td, Th } from "../../components/ui";
import { useEnterprise } from "../../lib/enterprise";
import { hasPermission, useSession } from "../../lib/session";
import { useCreateVendor, useVendors } from "./api";
import { usePropertyNames } from "../../lib/hotel";
import { VendorForm, type VendorFields } from "./VendorForm";

export function VendorsPage() {
  const { enterpriseId, portfolioWide } = useEnterprise();
  const user = useSession((s) => s.user);
  const canWrite = hasPermission(user, "vendors:write");
  const [includeInactive, setIncludeInactive] = useState(false);
  const [creating, setCreating] = useState(false);
  const vendors = useVendors(enterpriseId, includeInactive);
  const names = usePropertyNames();
  const create = useCreateVendor(enterpriseId);

  return (
    <>
      <PageHeader title="Vendors">
        <div className="flex items-end gap-3">
          <EnterprisePicker />
          {canWrite && !creating ? (
            <Button onClick={() => setCreating(true)} disabled={portfolioWide && !enterpriseId}>
              New vendor
            </Button>
          ) : null}
        </div>
      </PageHeader>
      {creating ? (
        <Card title="New vendor" className="mb-4">
          <VendorForm
            submitLabel="Create vendor"
            busy={create.isPending}
            error={create.error}
            onSubmit={(fields: VendorFields) => create.mutate(fields, { onSuccess: () => setCreating(false) })}
            onCancel={() => setCreating(false)}
          />
        </Card>
      ) : null}
      <Card
        actions={
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={includeInactive} onChange={(e) => setIncludeInactive(e.target.checked)} />
            Show inactive vendors
          </label>
        }
      >
        <ProblemAlert error={vendors.error} />
        {vendors.isLoading ? (
          <Loading />
        ) : vendors.data?.items.length ? (
          <Table caption="Vendors">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Category</Th>
                <Th>Contact</Th>
                {portfolioWide ? <Th>Property</Th> : null}
                <Th>Status</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {vendors.data.items.map((v) => (
                <tr key={v.vendor_id}>
                  <Td>
                    <Link className="font-medium text-indigo-700 underline" to={`/vendors/${v.vendor_id}`}>
                      {v.name}
                    </Link>
                  </Td>
                  <Td>{v.category}</Td>
                  <Td>{[v.contact_email, v.contact_phone].filter(Boolean).join(" · ") || "—"}</Td>
                  {portfolioWide ? <Td>{names(v.enterprise_id)}</Td> : null}
                  <Td>
                    <Badge tone={v.is_active ? "green" : "slate"}>{v.is_active ? "active" : "inactive"}</Badge>
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : (
          <Empty>No vendors yet.</Empty>
        )}
      </Card>
    </>
  );
}
