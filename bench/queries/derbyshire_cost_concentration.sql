-- Derbyshire: how concentrated is spending? Persons and cost by band of annual cost per
-- person; accumulated from the most expensive band down, it gives the share of total cost used
-- by the top 20% of people (a percentile of person-level cost would be a disclosed value).
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
)
SELECT CASE WHEN total = 0 THEN 0
            WHEN total < 100 THEN 1
            WHEN total < 250 THEN 100
            WHEN total < 500 THEN 250
            WHEN total < 1000 THEN 500
            WHEN total < 2000 THEN 1000
            WHEN total < 3000 THEN 2000
            WHEN total < 5000 THEN 3000
            WHEN total < 7500 THEN 5000
            WHEN total < 10000 THEN 7500
            WHEN total < 20000 THEN 10000
            ELSE 20000 END AS cost_from,
       count(*) AS persons, sum(total) AS total_cost
FROM per_person
GROUP BY 1
ORDER BY 1 DESC
