"""Per-product facts in the Snapshot: what only one product (or the Cloud) has to say."""
