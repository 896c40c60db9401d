-- 0014_push: Web Push subscriptions of the admin app (issue 13, "On the
-- phone, too"). One row per browser a user subscribed in a tenant: the
-- push service's endpoint URL (a capability: whoever knows it can send)
-- and the browser's P-256 key (p256dh, 65 bytes) and auth secret (16
-- bytes) the payload is encrypted to (RFC 8291). A 404/410 from the push
-- service deletes the row. The same endpoint subscribed again (another
-- user on a shared phone) moves to the newest user.

CREATE TABLE push_subscriptions (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	endpoint text NOT NULL CHECK (endpoint ~ '^https?://' AND length(endpoint) <= 2048),
	p256dh bytea NOT NULL CHECK (length(p256dh) = 65),
	auth bytea NOT NULL CHECK (length(auth) = 16),
	user_agent text CHECK (length(user_agent) <= 512),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, endpoint)
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (tenant_id, user_id);
SELECT tenant_table_setup('push_subscriptions');
