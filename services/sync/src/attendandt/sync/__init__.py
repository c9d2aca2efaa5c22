"""sync: Mews changes into domain state, batched, ordered, with backfill."""
