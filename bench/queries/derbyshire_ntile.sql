-- Derbyshire, with a window function: the share of total cost used by the top 20% of people,
-- read directly off quintiles of annual cost per person (ntile(5), most expensive first; same
-- sources and cost definition as derbyshire_cost_concentration.sql). Persons and cost per
-- quintile and each quintile's share of the total (a window over the aggregated quintiles).
-- Ties in the per-person totals change who falls in which quintile, not a quintile's size or
-- cost. (The share is left unrounded: the three systems' answers are compared within 1e-9,
-- and rounding to a digit could split them at a boundary.)
WITH costs AS (
  SELECT person_id, cost FROM acute.admissions
  UNION ALL SELECT person_id, cost FROM acute.outpatients
  UNION ALL SELECT person_id, cost FROM acute.ae_attendances
  UNION ALL SELECT person_id, cost FROM gp.consultations
  UNION ALL SELECT person_id, cost FROM gp.prescriptions
  UNION ALL SELECT person_id, cost FROM mental_health.contacts
), per_person AS (
  SELECT p.person_id, coalesce(sum(c.cost), 0) AS total
  FROM gp.patients p LEFT JOIN costs c ON c.person_id = p.person_id
  GROUP BY p.person_id
), quintiles AS (
  SELECT total, ntile(5) OVER (ORDER BY total DESC) AS quintile FROM per_person
)
SELECT quintile, count(*) AS persons, sum(total) AS total_cost,
       100 * sum(total) / sum(sum(total)) OVER () AS cost_share_pct
FROM quintiles
GROUP BY quintile
ORDER BY quintile
