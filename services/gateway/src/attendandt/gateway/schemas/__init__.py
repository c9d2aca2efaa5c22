"""The HTTP API's own shapes, where they differ from the RPC contracts: request bodies (the
caller never sends an `actor`), token replies, the vendor-safe guest views, sync status.

One module per concern; the route modules import from them."""
