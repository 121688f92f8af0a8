// The Trino protocol as BI tools and SQL editors use it, through three third-party npm clients
// and raw HTTP: USE, SET/RESET SESSION, PREPARE/EXECUTE/EXECUTE IMMEDIATE ... USING/DEALLOCATE,
// DESCRIBE INPUT/OUTPUT, SHOW FUNCTIONS/SESSION/CREATE TABLE, clean paging (every row once, an
// empty final page), a hyphenated catalog written unquoted (Cube), X-Presto-* headers,
// timestamps by client capability, and the WWW-Authenticate challenge. Parameters are only ever
// values: an injection attempt through one answers as the literal query does.
// Exits non-zero on the first failure.
import { BasicAuth, Trino } from 'trino-client';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Client: PrestoClient } = require('presto-client');
const { TrinoDriver } = require('@cubejs-backend/trino-driver');

const URL_ = process.env.FEDGATE_URL;
const PASSWORD = process.env.FEDGATE_PASSWORD;
const CATALOG = 'symphony-test';
const { hostname, port } = new URL(URL_);
const AUTH = 'Basic ' + Buffer.from(`ana:${PASSWORD}`).toString('base64');

function client(options = {}) {
  return Trino.create({
    server: URL_, catalog: CATALOG, schema: 'gp', source: 'trino-session-test',
    auth: new BasicAuth('ana', PASSWORD), ...options,
  });
}

async function run(trino, sql) {
  const out = { columns: null, rows: [], error: null, pages: 0 };
  for await (const page of await trino.query(sql)) {
    out.pages += 1;
    if (page.columns) out.columns = page.columns;
    if (page.data) out.rows.push(...page.data);
    if (page.error) out.error = page.error;
  }
  return out;
}

async function ok(trino, sql) {
  const r = await run(trino, sql);
  assert.equal(r.error, null, `${sql}: ${JSON.stringify(r.error)}`);
  return r;
}

// Raw protocol: POST, then every nextUri; returns each response with its headers.
async function raw(sql, headers = {}) {
  const base = { Authorization: AUTH, 'X-Trino-User': 'ana', 'X-Trino-Catalog': CATALOG,
                 'X-Trino-Schema': 'gp', 'X-Trino-Session': 'purpose=cost-analysis', ...headers };
  for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
  let res = await fetch(`${URL_}/v1/statement`, { method: 'POST', headers: base, body: sql });
  assert.equal(res.status, 200, await res.clone().text());
  const pages = [];
  let body = await res.json();
  assert.ok(!body.data, 'the POST answer carries no rows');
  while (body.nextUri) {
    res = await fetch(body.nextUri, { headers: { Authorization: AUTH } });
    assert.equal(res.status, 200);
    body = await res.json();
    pages.push({ body, headers: res.headers });
  }
  const rows = pages.flatMap((p) => p.body.data ?? []);
  const last = pages[pages.length - 1];
  return { pages, rows, last, error: last.body.error };
}

const literalSql = "SELECT count(*) AS n FROM gp.patients WHERE sex = 'F'";
const expected = (await ok(client({ session: { purpose: 'cost-analysis' } }), literalSql)).rows;
assert.equal(expected.length, 1);
assert.ok(expected[0][0] > 0, 'the literal query counts some persons');

// --- Paging: every row once, the final page empty -------------------------------------
{
  const r = await raw('SELECT practice_code, count(*) AS n FROM gp.patients GROUP BY practice_code');
  assert.ok(r.pages.length >= 6, `17 rows at 4 a page (${r.pages.length} pages)`);
  assert.equal(r.rows.length, 17);
  assert.equal(new Set(r.rows.map((x) => x[0])).size, 17, 'each practice once');
  assert.ok(!r.last.body.data, 'the final page carries no data');
  for (const p of r.pages.slice(0, -1)) assert.ok(p.body.nextUri, 'a page with data has a nextUri');
  const t = await ok(client({ session: { purpose: 'cost-analysis' } }),
                     'SELECT practice_code, count(*) AS n FROM gp.patients GROUP BY practice_code');
  assert.equal(t.rows.length, 17, 'trino-client sees each row once');
}

// --- USE ------------------------------------------------------------------------------
{
  const r = await raw(`USE ${CATALOG}.acute`);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.last.headers.get('x-trino-set-catalog'), CATALOG);
  assert.equal(r.last.headers.get('x-trino-set-schema'), 'acute');
  assert.equal(r.last.body.updateType, 'USE');
  assert.deepEqual(r.last.body.columns, []);
  const trino = client({ session: { purpose: 'cost-analysis' } });
  await ok(trino, 'USE acute');
  const tables = await ok(trino, 'SHOW TABLES');
  assert.deepEqual(tables.rows.map((x) => x[0]).sort(), ['admissions', 'outpatients'],
                   'trino-client keeps the schema USE set');
  const bad = await run(trino, 'USE nowhere');
  assert.equal(bad.error?.errorName, 'TABLE_NOT_FOUND', JSON.stringify(bad.error));
}

// --- SET SESSION / RESET SESSION / SHOW SESSION -----------------------------------------
{
  const trino = client();  // no purpose: ana has no default one
  const refused = await run(trino, literalSql);
  assert.match(refused.error?.message ?? '', /no purpose/);
  await ok(trino, "SET SESSION purpose = 'cost-analysis'");
  assert.deepEqual((await ok(trino, literalSql)).rows, expected, 'the purpose set by SET SESSION');
  const session = await ok(trino, 'SHOW SESSION');
  assert.deepEqual(session.columns.map((c) => c.name), ['Name', 'Value', 'Default', 'Type', 'Description']);
  assert.equal(session.rows.find((x) => x[0] === 'purpose')?.[1], 'cost-analysis');
  const reset = await raw('RESET SESSION purpose');
  assert.equal(reset.last.headers.get('x-trino-clear-session'), 'purpose');
  const set = await raw("SET SESSION purpose = 'service planning'");
  assert.equal(set.last.headers.get('x-trino-set-session'), 'purpose=service+planning');
  const unknown = await run(trino, "SET SESSION query_max_run_time = '1h'");
  assert.match(unknown.error?.message ?? '', /session property 'query_max_run_time' does not exist/);
}

// --- PREPARE / EXECUTE / DESCRIBE / DEALLOCATE (trino-client keeps Added-Prepare) -------
{
  const trino = client({ session: { purpose: 'cost-analysis' } });
  await ok(trino, 'PREPARE by_sex FROM SELECT count(*) AS n FROM gp.patients WHERE sex = ?');
  assert.deepEqual((await ok(trino, "EXECUTE by_sex USING 'F'")).rows, expected);
  const input = await ok(trino, 'DESCRIBE INPUT by_sex');
  assert.deepEqual(input.rows, [[0, 'unknown']]);
  const output = await ok(trino, 'DESCRIBE OUTPUT by_sex');
  assert.equal(output.rows[0][0], 'n');
  assert.equal(output.rows[0][4], 'bigint');
  const tooFew = await run(trino, 'EXECUTE by_sex');
  assert.match(tooFew.error?.message ?? '', /1 parameter\(s\) \(\?\) but 0 value/);
  const dealloc = await raw('DEALLOCATE PREPARE by_sex', {
    'X-Trino-Prepared-Statement': 'by_sex=' + encodeURIComponent('SELECT 1'),
  });
  assert.equal(dealloc.last.headers.get('x-trino-deallocated-prepare'), 'by_sex');
  const missing = await run(client({ session: { purpose: 'cost-analysis' } }), "EXECUTE nothing USING 'F'");
  assert.match(missing.error?.message ?? '', /prepared statement not found: nothing/);
  const added = await raw('PREPARE q2 FROM SELECT 1');
  assert.equal(added.last.headers.get('x-trino-added-prepare'), 'q2=SELECT+1');
}

// --- EXECUTE IMMEDIATE ... USING, and injection through a parameter ----------------------
{
  const trino = client({ session: { purpose: 'cost-analysis' } });
  const immediate = await ok(trino,
    "EXECUTE IMMEDIATE 'SELECT count(*) AS n FROM gp.patients WHERE sex = ?' USING 'F'");
  assert.deepEqual(immediate.rows, expected);
  const typed = await ok(trino,
    "EXECUTE IMMEDIATE 'SELECT count(*) AS n FROM gp.patients WHERE date_of_birth < ? AND sex = ?' " +
    "USING DATE '1960-01-01', 'F'");
  const typedLiteral = await ok(trino,
    "SELECT count(*) AS n FROM gp.patients WHERE date_of_birth < DATE '1960-01-01' AND sex = 'F'");
  assert.deepEqual(typed.rows, typedLiteral.rows);
  // The classic injection: as a value it matches no sex, so it is the literal query with that
  // string, and not the unfiltered count.
  const injected = await ok(trino,
    "EXECUTE IMMEDIATE 'SELECT count(*) AS n FROM gp.patients WHERE sex = ?' USING ''' OR 1=1 --'");
  const asLiteral = await ok(trino, "SELECT count(*) AS n FROM gp.patients WHERE sex = ''' OR 1=1 --'");
  const all = await ok(trino, 'SELECT count(*) AS n FROM gp.patients');
  assert.deepEqual(injected.rows, asLiteral.rows);
  assert.notDeepEqual(injected.rows, all.rows, 'the parameter did not become SQL');
  const notConstant = await run(trino,
    "EXECUTE IMMEDIATE 'SELECT count(*) FROM gp.patients WHERE sex = ?' USING (SELECT max(sex) FROM gp.patients)");
  assert.match(notConstant.error?.message ?? '', /USING value must be a literal/);
  const probe = await ok(trino, "EXECUTE IMMEDIATE 'SELECT 1'");  // trino-python-client's probe
  assert.deepEqual(probe.rows, [[1]]);
}

// --- SHOW FUNCTIONS, SHOW CREATE TABLE ---------------------------------------------------
{
  const trino = client({ session: { purpose: 'cost-analysis' } });
  const fns = await ok(trino, 'SHOW FUNCTIONS');
  assert.deepEqual(fns.columns.map((c) => c.name),
                   ['Function', 'Return Type', 'Argument Types', 'Function Type', 'Deterministic', 'Description']);
  for (const f of ['count', 'sum', 'date_trunc', 'coalesce']) assert.ok(fns.rows.some((x) => x[0] === f), f);
  const dates = await ok(trino, "SHOW FUNCTIONS LIKE 'date%'");
  assert.ok(dates.rows.length >= 2 && dates.rows.every((x) => x[0].startsWith('date')));
  const ddl = (await ok(trino, 'SHOW CREATE TABLE gp.patients')).rows[0][0];
  assert.match(ddl, /^CREATE TABLE "symphony-test"\."gp"\."patients" \(/);
  assert.match(ddl, /"person_id" varchar COMMENT 'pseudonymised person key'/);
  assert.match(ddl, /"practice_code" varchar/);
  assert.doesNotMatch(ddl, /lsoa|nhs_number/, 'only the columns the DSA shares');
  const unshared = await run(trino, 'SHOW CREATE TABLE gp.prescriptions');
  assert.equal(unshared.error?.errorName, 'TABLE_NOT_FOUND');
}

// --- Timestamps by capability; X-Presto headers; the login challenge ---------------------
{
  const sql = "SELECT date_trunc('year', consultation_date) AS y, count(*) AS n FROM gp.consultations GROUP BY 1 ORDER BY 1";
  const plain = await raw(sql);
  const col = plain.pages.find((p) => p.body.columns).body.columns[0];
  assert.equal(col.type, 'timestamp');
  assert.deepEqual(col.typeSignature.arguments, []);
  assert.match(plain.rows[0][0], /^\d{4}-01-01 00:00:00\.000$/);
  const parametric = await raw(sql, { 'X-Trino-Client-Capabilities': 'PATH,PARAMETRIC_DATETIME' });
  const pcol = parametric.pages.find((p) => p.body.columns).body.columns[0];
  assert.equal(pcol.type, 'timestamp(6)');
  assert.match(parametric.rows[0][0], /^\d{4}-01-01 00:00:00\.000000$/);

  const presto = await raw('USE acute', {
    'X-Trino-User': undefined, 'X-Trino-Catalog': undefined, 'X-Trino-Schema': undefined,
    'X-Trino-Session': undefined, 'X-Presto-User': 'ana', 'X-Presto-Catalog': CATALOG,
    'X-Presto-Schema': 'gp',
  });
  assert.equal(presto.last.headers.get('x-presto-set-schema'), 'acute');

  const denied = await fetch(`${URL_}/v1/statement`, {
    method: 'POST', body: 'SELECT 1',
    headers: { Authorization: 'Basic ' + Buffer.from('ana:wrong').toString('base64') },
  });
  assert.equal(denied.status, 401);
  const challenge = denied.headers.get('www-authenticate');
  assert.match(challenge, /Basic realm="fedgate"/);
  assert.match(challenge, /Bearer/);
}

// --- presto-client: its own prepared statements, X-Presto headers, paging -----------------
function presto(engine) {
  return new PrestoClient({
    host: hostname, port: Number(port), engine, user: 'ana',
    basic_auth: { user: 'ana', password: PASSWORD }, catalog: CATALOG, schema: 'gp',
    checkInterval: 10, timeout: 60,
  });
}
function prestoRun(c, query, extra = {}) {
  return new Promise((resolve, reject) => {
    const rows = [];
    c.execute({
      query, session: 'purpose=cost-analysis', ...extra,
      data: (e, data) => rows.push(...data),
      success: () => resolve(rows),
      error: (e) => reject(new Error(JSON.stringify(e))),
    });
  });
}
{
  const trinoEngine = presto('trino');
  assert.deepEqual(await prestoRun(trinoEngine, "EXECUTE query0 USING 'F'", {
    prepares: ['SELECT count(*) AS n FROM gp.patients WHERE sex = ?'],
  }), expected, 'presto-client prepares (X-Trino-Prepared-Statement) + EXECUTE USING');
  const paged = await prestoRun(trinoEngine,
    'SELECT practice_code, count(*) AS n FROM gp.patients GROUP BY practice_code');
  assert.equal(paged.length, 17);
  assert.equal(new Set(paged.map((x) => x[0])).size, 17, 'presto-client sees each row once');
  const prestoEngine = presto('presto');  // X-Presto-* headers
  assert.deepEqual(await prestoRun(prestoEngine, literalSql), expected);
}

// --- Cube's Trino driver: introspection with the catalog unquoted, queries ---------------
{
  const driver = new TrinoDriver({
    host: hostname, port: Number(port), ssl: false, user: 'ana',
    basic_auth: { user: 'ana', password: PASSWORD }, catalog: CATALOG, schema: 'gp',
    headers: { 'X-Trino-Session': 'purpose=cost-analysis' }, checkInterval: 10, queryTimeout: 60,
  });
  await driver.testConnection();
  const schema = await driver.tablesSchema();
  assert.ok(schema.gp?.patients, `Cube sees gp.patients: ${JSON.stringify(Object.keys(schema))}`);
  assert.ok(schema.gp.patients.some((c) => c.name === 'person_id'));
  assert.ok(!schema.gp.patients.some((c) => c.name === 'lsoa_code'), 'only shared columns');
  const rows = await driver.query('SELECT count(*) AS n FROM gp.patients WHERE sex = ?', ['F']);
  assert.deepEqual(rows.map((r) => Number(r.n)), expected.map((r) => r[0]));
  const practices = await driver.query(
    'SELECT practice_code, count(*) AS n FROM gp.patients GROUP BY practice_code', []);
  assert.equal(new Set(practices.map((r) => r.practice_code)).size, 17, 'Cube: each row once');
  await driver.release?.();
}

console.log('trino session statements: all checks passed');
