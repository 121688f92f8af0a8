-- Symphony: total cost per person by setting and number of long-term conditions.
WITH conditions AS (
  SELECT person_id, count(DISTINCT condition) AS n
  FROM gp.diagnoses WHERE condition <> 'ndh' GROUP BY person_id
), costs AS (
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
)
SELECT CASE WHEN coalesce(c.n, 0) >= 4 THEN '4+' ELSE CAST(coalesce(c.n, 0) AS text) END AS conditions,
       count(*) AS persons,
       round(avg(coalesce(pp.gp, 0)), 2) AS gp_per_person,
       round(avg(coalesce(pp.acute, 0)), 2) AS acute_per_person,
       round(avg(coalesce(pp.mh, 0)), 2) AS mental_health_per_person,
       round(avg(coalesce(pp.community, 0)), 2) AS community_per_person,
       round(avg(coalesce(pp.social_care, 0)), 2) AS social_care_per_person,
       round(avg(coalesce(pp.total, 0)), 2) AS total_per_person
FROM gp.patients p
LEFT JOIN per_person pp ON pp.person_id = p.person_id
LEFT JOIN conditions c ON c.person_id = p.person_id
GROUP BY 1
ORDER BY 1
