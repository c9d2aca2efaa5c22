"""Users service: staff and vendor accounts, roles, credentials, audit log."""
