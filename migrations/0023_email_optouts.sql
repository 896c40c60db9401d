-- 0023_email_optouts.sql — customers who asked for no more reminder e-mails
-- from a business (the unsubscribe link and List-Unsubscribe one-click in
-- every reminder). Booking confirmations, changes and cancellations still
-- go: they are the answer to something the customer did. Per tenant: one
-- business's reminders stopping says nothing about another's.
CREATE TABLE email_optouts (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	email citext NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	source text NOT NULL CHECK (source IN ('link', 'one_click')),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, email)
);
SELECT tenant_table_setup('email_optouts');
