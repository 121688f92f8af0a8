-- Hampshire: people at risk of type 2 diabetes (non-diabetic hyperglycaemia coded, or an HbA1c
-- of 42-47 mmol/mol) who do not have diabetes, by GP practice.
WITH at_risk AS (
  SELECT person_id FROM gp.diagnoses WHERE condition = 'ndh'
  UNION SELECT person_id FROM gp.observations WHERE code = 'hba1c' AND value >= 42 AND value < 48
), diabetic AS (
  SELECT DISTINCT person_id FROM gp.diagnoses WHERE condition = 'diabetes'
)
SELECT p.practice_code, count(*) AS registered,
       sum(CASE WHEN r.person_id IS NOT NULL AND d.person_id IS NULL THEN 1 ELSE 0 END) AS at_risk,
       round(100.0 * sum(CASE WHEN r.person_id IS NOT NULL AND d.person_id IS NULL THEN 1 ELSE 0 END)
             / count(*), 1) AS at_risk_pct
FROM gp.patients p
LEFT JOIN at_risk r ON r.person_id = p.person_id
LEFT JOIN diabetic d ON d.person_id = p.person_id
GROUP BY p.practice_code
ORDER BY p.practice_code
