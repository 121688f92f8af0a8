-- Cohort: people with diabetes whose HbA1c was above 58 mmol/mol at some point; their
-- emergency admissions in the last (financial) year, by GP practice.
SELECT p.practice_code,
       count(DISTINCT a.person_id) AS persons,
       count(*) AS emergency_admissions,
       sum(a.cost) AS cost,
       round(avg(a.discharge_date - a.admission_date), 2) AS mean_los_days
FROM acute.admissions a
JOIN gp.patients p ON p.person_id = a.person_id
WHERE a.admission_method = 'emergency'
  AND a.admission_date >= DATE '2024-04-01' AND a.admission_date < DATE '2025-04-01'
  AND a.person_id IN (SELECT person_id FROM gp.diagnoses WHERE condition = 'diabetes')
  AND a.person_id IN (SELECT person_id FROM gp.observations WHERE code = 'hba1c' AND value > 58)
GROUP BY p.practice_code
ORDER BY p.practice_code
