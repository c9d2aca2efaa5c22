import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { OfferingCreate, OfferingView } from "../../api/types";
import { formatMoney } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Badge, Button, Card, Empty, Loading, Table, Td, Th, TextArea, TextField } from "../../components/ui";
import { useOfferings } from "../bookings/api";

type Errors = Partial<Record<"name" | "unit_price" | "currency" | "mews_service_id", string>>;

function OfferingForm({
  offering,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  offering?: OfferingView;
  busy: boolean;
  error: unknown;
  onSubmit(body: OfferingCreate): void;
  onCancel(): void;
}) {
  const [name, setName] = useState(offering?.name ?? "");
  const [description, setDescription] = useState(offering?.description ?? "");
  const [price, setPrice] = useState(offering?.unit_price ?? "");
  const [currency, setCurrency] = useState(offering?.currency ?? "EUR");
  const [gross, setGross] = useState(offering?.amount_is_gross ?? true);
  const [taxCodes, setTaxCodes] = useState(offering?.tax_codes?.join(", ") ?? "");
  const [serviceId, setServiceId] = useState(offering?.mews_service_id ?? "");
  const [productId, setProductId] = useState(offering?.mews_product_id ?? "");
  const [categoryId, setCategoryId] = useState(offering?.accounting_category_id ?? "");
  const [errors, setErrors] = useState<Errors>({});

  function submit(e: FormEvent) {
    e.preventDefault();
    const found: Errors = {};
    if (!name.trim()) found.name = "Enter a name.";
    if (!/^\d+(\.\d{1,4})?$/.test(price.trim())) found.unit_price = "Enter a price such as 25 or 25.50.";
    if (!/^[A-Z]{3}$/.test(currency.trim())) found.currency = "Enter a three-letter currency code, such as EUR.";
    if (!serviceId.trim()) found.mews_service_id = "Enter the Mews service the charge posts to.";
    setErrors(found);
    if (Object.keys(found).length) return;
    onSubmit({
      name: name.trim(),
      description: description.trim() || null,
      unit_price: price.trim(),
      currency: currency.trim(),
      amount_is_gross: gross,
      tax_codes: taxCodes
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
      mews_service_id: serviceId.trim(),
      mews_product_id: productId.trim() || null,
      accounting_category_id: categoryId.trim() || null,
    });
  }

  return (
    <form noValidate onSubmit={submit} aria-label={offering ? `Edit ${offering.name}` : "New service"} className="space-y-3">
      <ProblemAlert error={error} />
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField label="Name" required value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
        <div className="grid grid-cols-2 gap-2">
          <TextField
            label="Unit price"
            required
            inputMode="decimal"
            value={price}
            onChange={(e) => setPrice(e.target.value)}
            error={errors.unit_price}
          />
          <TextField
            label="Currency"
            required
            maxLength={3}
            value={currency}
            onChange={(e) => setCurrency(e.target.value.toUpperCase())}
            error={errors.currency}
          />
        </div>
        <TextField
          label="Mews service id"
          required
          value={serviceId}
          onChange={(e) => setServiceId(e.target.value)}
          error={errors.mews_service_id}
        />
        <TextField label="Mews product id" value={productId} onChange={(e) => setProductId(e.target.value)} />
        <TextField label="Accounting category id" value={categoryId} onChange={(e) => setCategoryId(e.target.value)} />
        <TextField label="Tax codes" hint="Comma-separated." value={taxCodes} onChange={(e) => setTaxCodes(e.target.value)} />
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={gross} onChange={(e) => setGross(e.target.checked)} />
        The price includes tax
      </label>
      <TextArea label="Description" maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
      <div className="flex gap-2">
        <Button type="submit" disabled={busy}>
          {offering ? "Save service" : "Add service"}
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** A vendor's offerings (its services), editable by managers, admins and the vendor. */
export function Offerings({ vendorId, canWrite }: { vendorId: string; canWrite: boolean }) {
  const [includeInactive, setIncludeInactive] = useState(false);
  const [editing, setEditing] = useState<OfferingView | "new" | null>(null);
  const offerings = useOfferings(vendorId, includeInactive);
  const client = useQueryClient();
  const done = () => {
    setEditing(null);
    void client.invalidateQueries({ queryKey: ["offerings"] });
  };
  const save = useMutation({
    mutationFn: (body: OfferingCreate) =>
      editing && editing !== "new"
        ? unwrap(
            api.PATCH("/api/v1/offerings/{offering_id}", {
              params: { path: { offering_id: editing.offering_id } },
              body,
            }),
          )
        : unwrap(api.POST("/api/v1/vendors/{vendor_id}/offerings", { params: { path: { vendor_id: vendorId } }, body })),
    onSuccess: done,
  });
  const deactivate = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST("/api/v1/offerings/{offering_id}/deactivate", { params: { path: { offering_id: id } } })),
    onSuccess: done,
  });

  return (
    <Card
      title="Services"
      actions={
        <div className="flex items-center gap-3">
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={includeInactive} onChange={(e) => setIncludeInactive(e.target.checked)} />
            Show inactive
          </label>
          {canWrite && editing === null ? <Button onClick={() => setEditing("new")}>Add service</Button> : null}
        </div>
      }
    >
      {editing !== null ? (
        <div className="mb-4 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200">
          <OfferingForm
            key={editing === "new" ? "new" : editing.offering_id}
            offering={editing === "new" ? undefined : editing}
            busy={save.isPending}
            error={save.error}
            onSubmit={(body) => save.mutate(body)}
            onCancel={() => setEditing(null)}
          />
        </div>
      ) : null}
      <ProblemAlert error={offerings.error ?? deactivate.error} />
      {offerings.isLoading ? (
        <Loading />
      ) : offerings.data?.items.length ? (
        <Table caption="Services">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Price</Th>
              <Th>Status</Th>
              {canWrite ? <Th>Actions</Th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {offerings.data.items.map((o) => (
              <tr key={o.offering_id}>
                <Td>
                  <span className="font-medium">{o.name}</span>
                  {o.description ? <p className="text-xs text-slate-500">{o.description}</p> : null}
                </Td>
                <Td>
                  {formatMoney(o.unit_price, o.currency)}
                  <span className="text-xs text-slate-500"> {o.amount_is_gross ? "incl. tax" : "excl. tax"}</span>
                </Td>
                <Td>
                  <Badge tone={o.is_active ? "green" : "slate"}>{o.is_active ? "active" : "inactive"}</Badge>
                </Td>
                {canWrite ? (
                  <Td>
                    <div className="flex gap-1">
                      <Button variant="secondary" aria-label={`Edit ${o.name}`} onClick={() => setEditing(o)}>
                        Edit
                      </Button>
                      {o.is_active ? (
                        <Button
                          variant="ghost"
                          aria-label={`Deactivate ${o.name}`}
                          disabled={deactivate.isPending}
                          onClick={() => {
                            if (window.confirm(`Deactivate ${o.name}? It can no longer be booked.`)) {
                              deactivate.mutate(o.offering_id);
                            }
                          }}
                        >
                          Deactivate
                        </Button>
                      ) : null}
                    </div>
                  </Td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
      ) : (
        <Empty>No services yet.</Empty>
      )}
    </Card>
  );
}
