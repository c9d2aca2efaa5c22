"""mews-ingest: every Mews change into JetStream, nothing lost."""
