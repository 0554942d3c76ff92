"""Publishing a policy: numbered, frozen releases, the public page, credits, and the
one document model every export format is rendered from (server/exports/policy)."""
