-- 0035_claims_partial_indexes.sql — a claim belongs to a booking or to a
-- hold, never both (0006's CHECK), so each lookup index holds only the
-- claims it can find: a booking's claims no longer enter the hold index,
-- nor a hold's the booking index (two index entries fewer per booking).
-- Every reader names the id it looks for (booking_id = …, hold_id = …, and
-- the foreign keys' cascades), which implies IS NOT NULL, so the planner
-- still uses them.
DROP INDEX slot_claims_booking;
CREATE INDEX slot_claims_booking ON slot_claims (tenant_id, booking_id)
    WHERE booking_id IS NOT NULL;
DROP INDEX slot_claims_hold;
CREATE INDEX slot_claims_hold ON slot_claims (tenant_id, hold_id)
    WHERE hold_id IS NOT NULL;
