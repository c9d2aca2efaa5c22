"""The permissions (in `Caller.permissions`) the guests service checks; the gateway's permission
table grants them."""

from __future__ import annotations

#: The permission (in `Caller.permissions`) to see a guest's contact details, birth date,
#: notes, company and timeline; the gateway's permission table grants it.
CONTACT_READ = "guests:contact:read"
#: The permission to read a stay's bill (`stay_bill`): hotel staff at the desk and above.
BILL_READ = "stays:bill:read"
#: The permission to change a guest (written to Mews) and to settle an edit's conflicts.
EDIT = "guests:edit"
#: The permission to set the hotel's standing choices for conflicts (`set_edit_rules`).
EDIT_RULES = "guests:edit:rules"

#: The permission to add or change a stay's notes (written to Mews).
NOTES_WRITE = "stays:notes:write"

#: Who may ask for a stay's public state (`public_stay`): those who book or charge for its
#: guests. The gateway's permission table grants them.
PUBLIC_STAY_PERMISSIONS = ("bookings:create", "charges:create", "charges:create:own")
