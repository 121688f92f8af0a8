WITH costs AS (
  SELECT person_id, cost FROM acute.admissions
  UNION ALL SELECT person_id, cost FROM acute.outpatients
  UNION ALL SELECT person_id, cost FROM acute.ae_attendances
  UNION ALL SELECT person_id, cost FROM gp.consultations
  UNION ALL SELECT person_id, cost FROM gp.prescriptions
  UNION ALL SELECT person_id, cost FROM mental_health.contacts
), per_person AS (
  SELECT person_id, sum(cost) AS total, count(*) AS events FROM costs GROUP BY person_id
)
SELECT CASE WHEN extract(year FROM age(DATE '2025-03-31', p.date_of_birth)) < 18 THEN '0-17'
            WHEN extract(year FROM age(DATE '2025-03-31', p.date_of_birth)) < 65 THEN '18-64'
            WHEN extract(year FROM age(DATE '2025-03-31', p.date_of_birth)) < 85 THEN '65-84'
            ELSE '85+' END AS age_band,
       count(*) AS persons, sum(c.total) AS total_cost, avg(c.total) AS mean_cost, sum(c.events) AS events
FROM per_person c JOIN gp.patients p ON p.person_id = c.person_id
GROUP BY 1
