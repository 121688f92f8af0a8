-- Symphony: where the money goes for people with diabetes, asthma and dementia: the share of
-- their total cost spent in each setting.
WITH costs AS (
  SELECT person_id, cost, 0 AS gp, 1 AS acute, 0 AS mh, 0 AS community, 0 AS social_care
  FROM acute.admissions
  UNION ALL SELECT person_id, cost, 0, 1, 0, 0, 0 FROM acute.outpatients
  UNION ALL SELECT person_id, cost, 0, 1, 0, 0, 0 FROM acute.ae_attendances
  UNION ALL SELECT person_id, cost, 1, 0, 0, 0, 0 FROM gp.consultations
  UNION ALL SELECT person_id, cost, 1, 0, 0, 0, 0 FROM gp.prescriptions
  UNION ALL SELECT person_id, cost, 0, 0, 1, 0, 0 FROM mental_health.contacts
  -- (SQLite holds the community trust's costs as floating point: read them as money.)
  UNION ALL SELECT person_id, CAST(cost AS numeric(10,2)), 0, 0, 0, 1, 0 FROM community.contacts
  -- Social care is priced per week: its cost is the weeks of the year each service ran.
  UNION ALL SELECT person_id,
         weekly_cost * (least(coalesce(end_date, DATE '2025-03-31'), DATE '2025-03-31')
                        - greatest(start_date, DATE '2024-04-01') + 1) / 7.0,
         0, 0, 0, 0, 1
  FROM social_care.services
  WHERE start_date <= DATE '2025-03-31' AND coalesce(end_date, DATE '2025-03-31') >= DATE '2024-04-01'
), per_person AS (
  SELECT person_id, sum(cost * gp) AS gp, sum(cost * acute) AS acute, sum(cost * mh) AS mh,
         sum(cost * community) AS community, sum(cost * social_care) AS social_care,
         sum(cost) AS total
  FROM costs GROUP BY person_id
), cohort AS (
  SELECT DISTINCT person_id, condition FROM gp.diagnoses
  WHERE condition IN ('diabetes', 'asthma', 'dementia')
)
SELECT c.condition, count(*) AS persons, sum(pp.total) AS total_cost,
       round(100 * sum(pp.gp) / sum(pp.total), 1) AS gp_pct,
       round(100 * sum(pp.acute) / sum(pp.total), 1) AS acute_pct,
       round(100 * sum(pp.mh) / sum(pp.total), 1) AS mental_health_pct,
       round(100 * sum(pp.community) / sum(pp.total), 1) AS community_pct,
       round(100 * sum(pp.social_care) / sum(pp.total), 1) AS social_care_pct
FROM cohort c JOIN per_person pp ON pp.person_id = c.person_id
GROUP BY c.condition
ORDER BY c.condition
