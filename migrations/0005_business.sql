-- 0005_business: what the business tells the receptionist: services,
-- add-ons, staff, resources, FAQs, policies, AI settings; versions for
-- optimistic concurrency. (being written)
SELECT 1;
