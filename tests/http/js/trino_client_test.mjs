// fedgate through the npm trino-client package: introspection, a paged cross-source query
// with withheld cells, a syntax error, and a cancel. Exits non-zero on the first failure.
import { BasicAuth, Trino } from 'trino-client';
import assert from 'node:assert/strict';

const trino = Trino.create({
  server: process.env.FEDGATE_URL,
  catalog: 'symphony-test',
  schema: 'gp',
  source: 'trino-js-test',
  auth: new BasicAuth('ana', process.env.FEDGATE_PASSWORD),
  session: { purpose: 'cost-analysis' },
});

async function run(sql) {
  const iter = await trino.query(sql);
  const out = { columns: null, rows: [], error: null, pages: 0, id: null };
  for await (const page of iter) {
    out.pages += 1;
    out.id = page.id;
    if (page.columns) out.columns = page.columns;
    if (page.data) out.rows.push(...page.data);
    if (page.error) out.error = page.error;
  }
  return out;
}

const catalogs = await run('SHOW CATALOGS');
assert.ok(catalogs.rows.some((r) => r[0] === 'symphony-test'), 'SHOW CATALOGS lists the DSA');

const tables = await run('SHOW TABLES FROM gp');
assert.deepEqual(tables.rows.map((r) => r[0]).sort(), ['consultations', 'diagnoses', 'patients']);

const described = await run('DESCRIBE gp.patients');
assert.ok(described.rows.some((r) => r[0] === 'person_id'));

const byPractice = await run('SELECT practice_code, count(*) AS n FROM gp.patients GROUP BY practice_code');
assert.equal(byPractice.rows.length, 17, 'all 17 practices over several pages');
assert.ok(byPractice.pages > 2, `paged (${byPractice.pages} pages)`);
assert.equal(byPractice.columns[1].type, 'bigint');
for (const r of byPractice.rows) assert.equal(r[1] % 5, 0, 'counts rounded to 5');

const small = await run(
  "SELECT p.care_home, d.condition, count(*) AS n FROM gp.diagnoses d JOIN gp.patients p USING (person_id) " +
    "WHERE p.practice_code = 'SSP05' GROUP BY p.care_home, d.condition");
assert.ok(small.rows.some((r) => r[2] === null), 'small groups come back as NULL');

const cross = await run(
  "SELECT p.sex, count(*) AS n, sum(a.cost) AS cost FROM gp.patients p JOIN acute.admissions a USING (person_id) GROUP BY p.sex");
assert.equal(cross.rows.length, 2, 'cross-source query');

const bad = await run('SELECT count(*) FORM gp.patients');
assert.equal(bad.error?.errorName, 'SYNTAX_ERROR', JSON.stringify(bad.error));

// Cancel is covered with curl (DELETE on nextUri and on /v1/query/{id}) in http_test.cpp:
// this client's iterator only returns once a page has data, so it cannot cancel a query that
// has produced none yet.
const info = await trino.queryInfo(cross.id);
assert.equal(info.state, 'FINISHED');
console.log('trino-client: all checks passed');
