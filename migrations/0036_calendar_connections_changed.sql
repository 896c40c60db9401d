-- 0036_calendar_connections_changed.sql — `serve` keeps, per tenant, the
-- fact that no calendar is connected (calendar_busy.c), so availability and
-- bookings of the many tenants without one open no transaction to find
-- out. A connection made, removed, or going in or out of error drops it
-- everywhere through the tenant cache's NOTIFY. Its other updates (the
-- last error's text) change nothing kept, so they notify nothing.
CREATE TRIGGER notify_tenant_changed AFTER INSERT OR DELETE ON calendar_connections
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();
CREATE TRIGGER notify_tenant_changed_state AFTER UPDATE OF status, deleted_at
    ON calendar_connections FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION notify_tenant_changed();
