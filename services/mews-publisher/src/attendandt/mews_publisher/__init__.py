"""mews-publisher: the only writer to Mews. Posts charges (orders/add) and profile changes
(customers/update) from MEWS_OUTBOX, each exactly once, and reports charge outcomes back to
the vendors service."""
