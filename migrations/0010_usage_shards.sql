-- 0010_usage_shards.sql — the month's usage counters, spread over 16 rows.
--
-- Every chat turn of a tenant counted its message and its model call in the
-- same usage_monthly row: under a burst of turns (500 at once in
-- `make bench`) the row lock turned the tenant's turns into a queue, each
-- waiting for the one before it to commit. A turn now writes the row of
-- one shard (0–15, round robin in the process), and readers add the shards
-- up. The plan's message limit is checked against that sum before the
-- increment, so turns that run at the same instant may pass it by at most
-- the number of them in flight: a soft limit by one burst, not a hard one.
ALTER TABLE usage_monthly_models DROP CONSTRAINT usage_monthly_models_tenant_id_month_fkey;
ALTER TABLE usage_monthly_models DROP CONSTRAINT usage_monthly_models_pkey;
ALTER TABLE usage_monthly DROP CONSTRAINT usage_monthly_pkey;

ALTER TABLE usage_monthly
    ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 15);
ALTER TABLE usage_monthly ADD PRIMARY KEY (tenant_id, month, shard);

ALTER TABLE usage_monthly_models
    ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 15);
ALTER TABLE usage_monthly_models ADD PRIMARY KEY (tenant_id, month, provider, model, shard);
ALTER TABLE usage_monthly_models ADD FOREIGN KEY (tenant_id, month, shard)
    REFERENCES usage_monthly (tenant_id, month, shard) ON DELETE CASCADE;
