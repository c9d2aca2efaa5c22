import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/problem";
import type { CatalogueService, OfferingCreate, OfferingView } from "../../api/types";
import { formatMoney } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import {
  Badge,
  Button,
  Card,
  Empty,
  Loading,
  SelectField,
  Table,
  Td,
  Th,
  TextArea,
  TextField,
} from "../../components/ui";
import { hasPermission, useSession } from "../../lib/session";
import { useDeactivateOffering, useOfferings, useSaveOffering } from "./api";
import { useCatalogue } from "../../api/properties";
import { useHotel } from "../../lib/hotel";

type Field = "name" | "unit_price" | "mews_service_id" | "mews_product_id";
type Errors = Partial<Record<Field, string>>;

const FIELDS: Field[] = ["name", "unit_price", "mews_service_id", "mews_product_id"];

/** What the gateway's problem details say about each field (a 422 names them). */
function serverErrors(error: unknown): Errors {
  const found: Errors = {};
  if (!(error instanceof ApiError)) return found;
  for (const e of error.problem.errors ?? []) {
    const field = FIELDS.find((f) => e.key === f || e.key?.endsWith(`.${f}`));
    if (field && !found[field]) found[field] = e.message;
  }
  return found;
}

/** A decimal string as a price to edit: "80.0000" → "80.00". */
function priceText(amount: string): string {
  const [whole, fraction] = amount.split(".");
  if (fraction === undefined) return amount;
  return `${whole}.${fraction.replace(/0+$/, "").padEnd(2, "0")}`;
}

/** The services an offering may post to: Mews "additional" services that are active (and the
 * one the offering posts to now, whatever it is, so editing does not lose it). */
function postableServices(services: CatalogueService[], current: string): CatalogueService[] {
  return services.filter((s) => (s.kind === "additional" && s.is_active) || s.mews_id === current);
}

function OfferingForm({
  offering,
  enterpriseId,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  offering?: OfferingView;
  enterpriseId: string;
  busy: boolean;
  error: unknown;
  onSubmit(body: OfferingCreate): void;
  onCancel(): void;
}) {
  const user = useSession((s) => s.user);
  const hotel = useHotel(enterpriseId);
  // Whoever may make offerings (managers, admins, a vendor for its own) picks from the
  // hotel's Mews catalogue; only if it cannot be read are the ids typed.
  const mayOffer = hasPermission(user, "offerings:write") || hasPermission(user, "offerings:write:own");
  const catalogue = useCatalogue(enterpriseId, mayOffer);
  const picking = mayOffer && !catalogue.isError;
  const [name, setName] = useState(offering?.name ?? "");
  const [description, setDescription] = useState(offering?.description ?? "");
  const [price, setPrice] = useState(offering?.unit_price ?? "");
  const [gross, setGross] = useState<boolean | null>(offering?.amount_is_gross ?? null);
  const [taxCodes, setTaxCodes] = useState(offering?.tax_codes?.join(", ") ?? "");
  const [serviceId, setServiceId] = useState(offering?.mews_service_id ?? "");
  const [productId, setProductId] = useState(offering?.mews_product_id ?? "");
  const [categoryId, setCategoryId] = useState(offering?.accounting_category_id ?? "");
  const [errors, setErrors] = useState<Errors>({});
  const shown: Errors = { ...serverErrors(error), ...errors };

  // Prices follow the hotel: its currency, and with tax where it prices gross.
  const currency = offering?.currency ?? hotel.currency;
  const includesTax = gross ?? hotel.property?.pricing !== "net";
  const services = postableServices(catalogue.data?.services ?? [], serviceId);
  const service = services.find((s) => s.mews_id === serviceId);
  const products = (service?.products ?? []).filter((p) => p.is_active || p.mews_id === productId);

  function chooseService(id: string) {
    setServiceId(id);
    setProductId("");
  }

  function chooseProduct(id: string) {
    setProductId(id);
    const product = products.find((p) => p.mews_id === id);
    if (product?.unit_amount) setPrice(priceText(product.unit_amount));
    if (product && !name.trim()) setName(product.name);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const found: Errors = {};
    if (!name.trim()) found.name = "Enter a name.";
    if (!/^\d+(\.\d{1,4})?$/.test(price.trim())) found.unit_price = "Enter a price such as 25 or 25.50.";
    if (!serviceId.trim()) {
      found.mews_service_id = picking
        ? "Choose the Mews service the charge posts to."
        : "Enter the Mews service the charge posts to.";
    }
    setErrors(found);
    if (Object.keys(found).length) return;
    // No currency: the hotel's is the only one its bills take (the gateway fills it in).
    onSubmit({
      name: name.trim(),
      description: description.trim() || null,
      unit_price: price.trim(),
      amount_is_gross: includesTax,
      tax_codes: taxCodes
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
      mews_service_id: serviceId.trim(),
      mews_product_id: productId.trim() || null,
      accounting_category_id: categoryId.trim() || null,
    });
  }

  const productCurrency = (c: string | null | undefined) => c ?? currency;
  return (
    <form noValidate onSubmit={submit} aria-label={offering ? `Edit ${offering.name}` : "New service"} className="space-y-3">
      <ProblemAlert error={error} />
      {mayOffer && catalogue.isError ? <ProblemAlert error={catalogue.error} /> : null}
      <div className="grid gap-3 sm:grid-cols-2">
        {picking ? (
          <>
            <SelectField
              label="Mews service"
              required
              value={serviceId}
              onChange={(e) => chooseService(e.target.value)}
              error={shown.mews_service_id}
              hint={
                catalogue.data && services.length === 0
                  ? "The hotel has no active additional services in Mews (or they are not synced yet)."
                  : "The hotel's additional service the charge posts to."
              }
            >
              <option value="">{catalogue.isLoading ? "Loading…" : "Choose a service"}</option>
              {services.map((s) => (
                <option key={s.mews_id} value={s.mews_id}>
                  {s.name}
                  {s.is_active ? "" : " (inactive)"}
                </option>
              ))}
              {serviceId && !catalogue.isLoading && !service ? <option value={serviceId}>{serviceId}</option> : null}
            </SelectField>
            <SelectField
              label="Mews product"
              value={productId}
              disabled={!serviceId}
              onChange={(e) => chooseProduct(e.target.value)}
              error={shown.mews_product_id}
              hint="Optional. A product with a price fills in the unit price."
            >
              <option value="">{serviceId ? "None" : "Choose a service first"}</option>
              {products.map((p) => (
                <option key={p.mews_id} value={p.mews_id}>
                  {p.name}
                  {p.unit_amount ? ` — ${formatMoney(p.unit_amount, productCurrency(p.currency) ?? "")}` : ""}
                  {p.is_active ? "" : " (inactive)"}
                </option>
              ))}
              {productId && !catalogue.isLoading && !products.some((p) => p.mews_id === productId) ? (
                <option value={productId}>{productId}</option>
              ) : null}
            </SelectField>
          </>
        ) : (
          <>
            <TextField
              label="Mews service id"
              required
              value={serviceId}
              onChange={(e) => setServiceId(e.target.value)}
              error={shown.mews_service_id}
            />
            <TextField
              label="Mews product id"
              value={productId}
              onChange={(e) => setProductId(e.target.value)}
              error={shown.mews_product_id}
            />
          </>
        )}
        <TextField label="Name" required value={name} onChange={(e) => setName(e.target.value)} error={shown.name} />
        <div className="grid grid-cols-2 gap-2">
          <TextField
            label="Unit price"
            required
            inputMode="decimal"
            value={price}
            onChange={(e) => setPrice(e.target.value)}
            error={shown.unit_price}
          />
          <TextField label="Currency" readOnly value={currency ?? ""} hint="The hotel's currency." />
        </div>
        <TextField label="Accounting category id" value={categoryId} onChange={(e) => setCategoryId(e.target.value)} />
        <TextField label="Tax codes" hint="Comma-separated." value={taxCodes} onChange={(e) => setTaxCodes(e.target.value)} />
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={includesTax} onChange={(e) => setGross(e.target.checked)} />
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
export function Offerings({
  vendorId,
  enterpriseId,
  canWrite,
}: {
  vendorId: string;
  enterpriseId: string;
  canWrite: boolean;
}) {
  const [includeInactive, setIncludeInactive] = useState(false);
  const [editing, setEditing] = useState<OfferingView | "new" | null>(null);
  const offerings = useOfferings(vendorId, includeInactive);
  const save = useSaveOffering(vendorId);
  const deactivate = useDeactivateOffering();
  const done = { onSuccess: () => setEditing(null) };

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
            enterpriseId={enterpriseId}
            busy={save.isPending}
            error={save.error}
            onSubmit={(body) =>
              save.mutate({ offeringId: editing !== "new" ? editing.offering_id : null, body }, done)
            }
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
                              deactivate.mutate(o.offering_id, done);
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
