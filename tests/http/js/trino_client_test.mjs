// fedgate through the npm trino-client package: introspection, a paged cross-source query
// with withheld cells, metadata tables, a syntax error, a cancel that reaches the source, a
// wrong password and a user who is not a recipient. Exits non-zero on the first failure.
import { BasicAuth, Trino } from 'trino-client';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';

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

const info = await trino.queryInfo(cross.id);
assert.equal(info.state, 'FINISHED');

// What SQLAlchemy's trino dialect (Superset) reads to list tables.
const listed = await run(
  "SELECT table_name FROM information_schema.tables WHERE table_schema = 'acute' ORDER BY 1");
assert.deepEqual(listed.rows.map((r) => r[0]), ['admissions', 'outpatients']);

// Cancel mid-query with the client's own cancel (DELETE /v1/query/{id}); the source's query
// stops too. The iterator holds the POST's answer, whose id names the query.
const slowSql = 'SELECT count(*) FROM gp.consultations a JOIN gp.consultations b ON a.cost > b.cost * 1.5 + 0.375';
const slow = await trino.query(slowSql);
const slowId = slow.iter.queryResult.id;
assert.ok(slowId, 'the POST answer names the query');
const pending = (async () => {
  const out = { error: null };
  for await (const page of slow) if (page.error) out.error = page.error;
  return out;
})();
const activeAtSource = () => Number(execSync(
  `psql -X -At -h "${process.env.FEDGATE_PG_HOST}" -p "${process.env.FEDGATE_PG_PORT}" -U postgres -d postgres ` +
    `-c "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%0.375%' AND query NOT LIKE '%pg_stat_activity%'"`,
  { env: { ...process.env, PGPASSWORD: process.env.FEDGATE_PG_ADMIN_PASSWORD } }).toString().trim());
for (let i = 0; i < 50 && activeAtSource() === 0; i++) await new Promise((r) => setTimeout(r, 100));
assert.equal(activeAtSource(), 1, 'the slow query reached the source');
await trino.cancel(slowId);
const cancelled = await pending;
assert.equal(cancelled.error?.errorName, 'USER_CANCELED', JSON.stringify(cancelled.error));
let active = activeAtSource();
for (let i = 0; i < 50 && active !== 0; i++) {
  await new Promise((r) => setTimeout(r, 100));
  active = activeAtSource();
}
assert.equal(active, 0, "the source's query was cancelled too");

// A wrong password is refused with 401; a user who is not a recipient of the DSA is refused
// (and audited: trino_js_test.sh checks the audit log).
const wrong = Trino.create({
  server: process.env.FEDGATE_URL, catalog: 'symphony-test', schema: 'gp',
  auth: new BasicAuth('ana', 'not the password'), session: { purpose: 'cost-analysis' },
});
await assert.rejects(() => wrong.query('SELECT 1'), (e) => /401/.test(String(e?.message ?? e)));
const eve = Trino.create({
  server: process.env.FEDGATE_URL, catalog: 'symphony-test', schema: 'gp',
  auth: new BasicAuth('eve', process.env.FEDGATE_PASSWORD), session: { purpose: 'cost-analysis' },
});
const refusedIter = await eve.query('SELECT count(*) FROM gp.patients');
let refused = null;
for await (const page of refusedIter) if (page.error) refused = page.error;
assert.equal(refused?.errorName, 'PERMISSION_DENIED', JSON.stringify(refused));
assert.match(refused.message, /not a recipient/);
console.log('trino-client: all checks passed');
