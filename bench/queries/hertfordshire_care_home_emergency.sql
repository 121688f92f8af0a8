-- Hertfordshire: emergency admissions of care-home residents against people of the same age
-- living elsewhere.
WITH emergency AS (
  SELECT person_id, count(*) AS n FROM acute.admissions
  WHERE admission_method = 'emergency' GROUP BY person_id
)
SELECT CASE WHEN extract(year FROM age(DATE '2025-03-31', p.date_of_birth)) < 85 THEN '75-84'
            ELSE '85+' END AS age_band,
       CASE WHEN p.care_home THEN 'care home' ELSE 'elsewhere' END AS residence,
       count(*) AS persons,
       sum(coalesce(e.n, 0)) AS emergency_admissions,
       round(1.0 * sum(coalesce(e.n, 0)) / count(*), 2) AS admissions_per_person
FROM gp.patients p LEFT JOIN emergency e ON e.person_id = p.person_id
WHERE p.date_of_birth <= DATE '1950-03-31'
GROUP BY 1, 2
ORDER BY 1, 2
