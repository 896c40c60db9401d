-- 0012_distributable_keys.sql — every unique key of a tenant table includes
-- tenant_id, so the table can be distributed by tenant (Citus: a unique
-- constraint is enforced per shard, and only one that contains the
-- distribution column can be).
--
-- API keys and invitations were unique by their secret's hash (and an API
-- key by its prefix) across all tenants. A key or an invitation link is
-- presented before its tenant is known, so the lookup by hash keeps an
-- index of its own; uniqueness is now per tenant. Across tenants the hash
-- of a 256-bit random secret cannot repeat, and the prefix is only shown to
-- tell a tenant's own keys apart. tests/sql/80_distribution.sql keeps it so.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_prefix_key;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_key_hash_key;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_tenant_prefix_key UNIQUE (tenant_id, prefix);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_tenant_key_hash_key UNIQUE (tenant_id, key_hash);
CREATE INDEX api_keys_key_hash ON api_keys (key_hash);

ALTER TABLE invitations DROP CONSTRAINT invitations_token_hash_key;
ALTER TABLE invitations ADD CONSTRAINT invitations_tenant_token_hash_key
    UNIQUE (tenant_id, token_hash);
CREATE INDEX invitations_token_hash ON invitations (token_hash);
