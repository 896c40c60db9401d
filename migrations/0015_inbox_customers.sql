-- 0015_inbox_customers: (1) the business's own notes on a customer (issue 13,
-- the Customers page): allergies, preferences, "prefers Alex". Written by
-- people of the business only (PATCH /v1/admin/customers/{id}, If-Match);
-- part of the export, and emptied by erasure like the contact details.

ALTER TABLE customers ADD COLUMN notes text CHECK (length(notes) <= 4000);

-- A conversation started from the admin's "try it" panel (POST
-- /v1/chat/session {"test": true}): real in every way (it books, it is
-- metered), only labelled, so the desk does not mistake the owner's
-- rehearsal for a customer. The flag is the caller's own word — a visitor
-- could set it on their own chat, which only labels that chat.
ALTER TABLE conversations ADD COLUMN test boolean NOT NULL DEFAULT false;
