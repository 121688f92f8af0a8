-- Hertfordshire: how much of each provider's activity links to a person registered with a GP
-- (records whose NHS number is missing or invalid cannot link), for all five providers.
SELECT 'acute.admissions' AS source, count(*) AS records, count(p.person_id) AS linked,
       round(100.0 * count(p.person_id) / count(*), 1) AS linked_pct
FROM acute.admissions a LEFT JOIN gp.patients p ON p.person_id = a.person_id
UNION ALL
SELECT 'acute.outpatients', count(*), count(p.person_id), round(100.0 * count(p.person_id) / count(*), 1)
FROM acute.outpatients o LEFT JOIN gp.patients p ON p.person_id = o.person_id
UNION ALL
SELECT 'acute.ae_attendances', count(*), count(p.person_id), round(100.0 * count(p.person_id) / count(*), 1)
FROM acute.ae_attendances e LEFT JOIN gp.patients p ON p.person_id = e.person_id
UNION ALL
SELECT 'community.contacts', count(*), count(p.person_id), round(100.0 * count(p.person_id) / count(*), 1)
FROM community.contacts c LEFT JOIN gp.patients p ON p.person_id = c.person_id
UNION ALL
SELECT 'gp.consultations', count(*), count(p.person_id), round(100.0 * count(p.person_id) / count(*), 1)
FROM gp.consultations g LEFT JOIN gp.patients p ON p.person_id = g.person_id
UNION ALL
SELECT 'mental_health.contacts', count(*), count(p.person_id), round(100.0 * count(p.person_id) / count(*), 1)
FROM mental_health.contacts m LEFT JOIN gp.patients p ON p.person_id = m.person_id
UNION ALL
SELECT 'social_care.services', count(*), count(p.person_id), round(100.0 * count(p.person_id) / count(*), 1)
FROM social_care.services s LEFT JOIN gp.patients p ON p.person_id = s.person_id
ORDER BY 1
