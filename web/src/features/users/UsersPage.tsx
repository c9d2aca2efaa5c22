import { useState, type FormEvent } from "react";
import { ROLE_LABELS, ROLES, type UserRole, type UserView } from "../../api/types";
import { formatDateTime } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Badge, Button, Card, Empty, Loading, PageHeader, SelectField, Table, Td, TextField, Th } from "../../components/ui";
import { useSession } from "../../lib/session";
import { useProperties } from "../../api/properties";
import { useHotel, usePropertyNames, usePropertyZones } from "../../lib/hotel";
import { useChangeRole, useDeactivateUser, useInviteUser, usePasswordToken, useUsers } from "./api";

function setPasswordLink(token: string): string {
  return `${window.location.origin}/set-password?token=${encodeURIComponent(token)}`;
}

/** A one-time set-password link, shown once (it is not stored anywhere we can show it again). */
function TokenNotice({ who, token, onClose }: { who: string; token: string; onClose(): void }) {
  return (
    <div role="status" className="mb-4 rounded-md border border-green-200 bg-green-50 p-3 text-sm text-green-900">
      <p className="font-semibold">Send {who} this link to choose a password. It is shown only once.</p>
      <label className="mt-2 block text-xs font-medium">
        Set-password link
        <input readOnly value={setPasswordLink(token)} onFocus={(e) => e.target.select()} className="mt-1 block w-full rounded border border-green-300 bg-white px-2 py-1 font-mono text-xs" />
      </label>
      <Button variant="ghost" className="mt-2" onClick={onClose}>
        Done
      </Button>
    </div>
  );
}

function InviteForm({ onInvited }: { onInvited(who: string, token: string): void }) {
  const own = useSession((s) => s.user?.enterprise_id ?? "");
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<UserRole>("front_desk");
  const [vendorId, setVendorId] = useState("");
  const [enterpriseId, setEnterpriseId] = useState(own);
  const properties = useProperties();
  const [errors, setErrors] = useState<{ email?: string; name?: string; vendor?: string }>({});
  const invite = useInviteUser();
  function submit(e: FormEvent) {
    e.preventDefault();
    const found: typeof errors = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) found.email = "Enter a valid email address.";
    if (!name.trim()) found.name = "Enter the person's name.";
    if (role === "vendor" && !vendorId.trim()) found.vendor = "A vendor user needs the vendor's id.";
    setErrors(found);
    if (!Object.keys(found).length)
      invite.mutate(
        {
          email: email.trim(),
          name: name.trim(),
          role,
          vendor_id: role === "vendor" ? vendorId.trim() : null,
          enterprise_id: enterpriseId.trim() || null,
        },
        {
          onSuccess: (reply) => {
            onInvited(reply.user.name, reply.set_password_token);
            setEmail("");
            setName("");
          },
        },
      );
  }

  return (
    <form noValidate onSubmit={submit} aria-label="Invite a user" className="space-y-3">
      <ProblemAlert error={invite.error} />
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
        <TextField label="Email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
        <TextField label="Name" required value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
        <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as UserRole)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </SelectField>
        {role === "vendor" ? (
          <TextField label="Vendor id" required value={vendorId} onChange={(e) => setVendorId(e.target.value)} error={errors.vendor} />
        ) : null}
        {properties.isError ? (
          <TextField
            label="Property (enterprise id)"
            hint="Empty: every property."
            value={enterpriseId}
            onChange={(e) => setEnterpriseId(e.target.value)}
          />
        ) : (
          <SelectField label="Property" value={enterpriseId} onChange={(e) => setEnterpriseId(e.target.value)}>
            <option value="">Every property</option>
            {enterpriseId && !properties.data?.some((p) => p.enterprise_id === enterpriseId) ? (
              <option value={enterpriseId}>{properties.isLoading ? "Loading…" : enterpriseId}</option>
            ) : null}
            {(properties.data ?? []).map((p) => (
              <option key={p.enterprise_id} value={p.enterprise_id}>
                {p.name}
              </option>
            ))}
          </SelectField>
        )}
      </div>
      <Button type="submit" disabled={invite.isPending}>
        Invite
      </Button>
    </form>
  );
}

function UserRow({ user, self, onToken }: { user: UserView; self: boolean; onToken(who: string, token: string): void }) {
  const names = usePropertyNames();
  const zones = usePropertyZones();
  const hotel = useHotel();
  const [role, setRole] = useState<UserRole>(user.role);
  const [vendorId, setVendorId] = useState(user.vendor_id ?? "");
  const changeRole = useChangeRole(user.user_id);
  const deactivate = useDeactivateUser(user.user_id);
  const reset = usePasswordToken(user.user_id);
  const error = changeRole.error ?? deactivate.error ?? reset.error;
  return (
    <tr>
      <Td>
        <span className="font-medium">{user.name}</span>
        <p className="text-xs text-slate-500">{user.email}</p>
        {error ? <ProblemAlert error={error} className="mt-1" /> : null}
      </Td>
      <Td>
        <form
          className="flex flex-wrap items-center gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            changeRole.mutate({ role, vendor_id: role === "vendor" ? vendorId.trim() || null : null });
          }}
        >
          <label className="sr-only" htmlFor={`role-${user.user_id}`}>
            Role of {user.name}
          </label>
          <select
            id={`role-${user.user_id}`}
            value={role}
            disabled={!user.is_active || self}
            onChange={(e) => setRole(e.target.value as UserRole)}
            className="rounded-md border border-slate-300 px-2 py-1 text-sm"
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
          {role === "vendor" ? (
            <>
              <label className="sr-only" htmlFor={`vendor-${user.user_id}`}>
                Vendor id of {user.name}
              </label>
              <input
                id={`vendor-${user.user_id}`}
                placeholder="Vendor id"
                value={vendorId}
                onChange={(e) => setVendorId(e.target.value)}
                className="w-32 rounded-md border border-slate-300 px-2 py-1 text-sm"
              />
            </>
          ) : null}
          {role !== user.role || (role === "vendor" && vendorId !== (user.vendor_id ?? "")) ? (
            <Button type="submit" variant="secondary" disabled={changeRole.isPending}>
              Apply
            </Button>
          ) : null}
        </form>
      </Td>
      <Td>{user.enterprise_id ? names(user.enterprise_id) : "All properties"}</Td>
      <Td>
        <Badge tone={user.is_active ? "green" : "slate"}>{user.is_active ? "active" : "deactivated"}</Badge>
        {user.is_active && !user.has_password ? <p className="text-xs text-amber-800">invited</p> : null}
      </Td>
      <Td>{formatDateTime(user.last_login_at, user.enterprise_id ? zones(user.enterprise_id) : hotel.zone)}</Td>
      <Td>
        {user.is_active && !self ? (
          <div className="flex flex-wrap gap-1">
            <Button
              variant="ghost"
              disabled={reset.isPending}
              aria-label={`Reset password of ${user.name}`}
              onClick={() =>
                reset.mutate(undefined, { onSuccess: (reply) => onToken(user.name, reply.set_password_token) })
              }
            >
              Reset password
            </Button>
            <Button
              variant="danger"
              disabled={deactivate.isPending}
              aria-label={`Deactivate ${user.name}`}
              onClick={() => {
                if (window.confirm(`Deactivate ${user.name}? They are signed out at once.`)) deactivate.mutate();
              }}
            >
              Deactivate
            </Button>
          </div>
        ) : null}
      </Td>
    </tr>
  );
}

export function UsersPage() {
  const me = useSession((s) => s.user);
  const [q, setQ] = useState("");
  const [role, setRole] = useState<UserRole | "">("");
  const [active, setActive] = useState<"" | "true" | "false">("true");
  const [inviting, setInviting] = useState(false);
  const [token, setToken] = useState<{ who: string; token: string } | null>(null);
  const query = {
    limit: 200,
    ...(q.trim() ? { q: q.trim() } : {}),
    ...(role ? { role } : {}),
    ...(active ? { is_active: active === "true" } : {}),
  };
  const users = useUsers(query);
  const onToken = (who: string, t: string) => setToken({ who, token: t });

  return (
    <>
      <PageHeader title="Users">
        {!inviting ? <Button onClick={() => setInviting(true)}>Invite a user</Button> : null}
      </PageHeader>
      {token ? <TokenNotice who={token.who} token={token.token} onClose={() => setToken(null)} /> : null}
      {inviting ? (
        <Card
          title="Invite a user"
          className="mb-4"
          actions={
            <Button variant="ghost" onClick={() => setInviting(false)}>
              Close
            </Button>
          }
        >
          <InviteForm onInvited={onToken} />
        </Card>
      ) : null}
      <Card>
        <div role="search" aria-label="Filter users" className="mb-3 grid gap-3 sm:grid-cols-3">
          <TextField label="Name or email" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as UserRole | "")}>
            <option value="">Any</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </SelectField>
          <SelectField label="Status" value={active} onChange={(e) => setActive(e.target.value as "" | "true" | "false")}>
            <option value="true">Active</option>
            <option value="false">Deactivated</option>
            <option value="">Any</option>
          </SelectField>
        </div>
        <ProblemAlert error={users.error} />
        {users.isLoading ? (
          <Loading />
        ) : users.data?.users.length ? (
          <Table caption="Users">
            <thead>
              <tr>
                <Th>User</Th>
                <Th>Role</Th>
                <Th>Property</Th>
                <Th>Status</Th>
                <Th>Last sign-in</Th>
                <Th>Actions</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users.data.users.map((u) => (
                <UserRow key={`${u.user_id}-${u.role}-${u.is_active}`} user={u} self={u.user_id === me?.user_id} onToken={onToken} />
              ))}
            </tbody>
          </Table>
        ) : (
          <Empty>No users match.</Empty>
        )}
      </Card>
    </>
  );
}
