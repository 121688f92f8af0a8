// Runs the seed analyses through fedgate's native JSON API and prints them as tables.
//   FEDGATE_URL=http://127.0.0.1:8080 FEDGATE_USER=ana FEDGATE_PASSWORD=... \
//     node demo/seed_analyses.mjs QUERY_DIR
// Each query runs under the DSA somerset-demo (or FEDGATE_DSA) for the purpose cost-analysis.
// Cells changed by disclosure control are marked: ~ rounded, ? perturbed, - withheld (NULL).
// Exits 1 when a query fails.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const url = process.env.FEDGATE_URL ?? 'http://127.0.0.1:8080';
const user = process.env.FEDGATE_USER ?? 'ana';
const password = process.env.FEDGATE_PASSWORD;
const dsa = process.env.FEDGATE_DSA ?? 'somerset-demo';
const dir = process.argv[2] ?? 'bench/queries';
if (!password) {
  console.error('set FEDGATE_PASSWORD');
  process.exit(2);
}
const auth = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

const analyses = [
  ['Symphony: cost per person by setting and number of long-term conditions',
   'symphony_cost_by_setting_and_conditions.sql'],
  ['Symphony: share of cost by setting, people with diabetes, asthma or dementia',
   'symphony_cost_share_by_condition.sql'],
  ['Derbyshire: persons and cost by annual cost per person', 'derbyshire_cost_concentration.sql'],
  ['Hampshire: people at risk of type 2 diabetes, by practice',
   'hampshire_diabetes_risk_by_practice.sql'],
  ["Hertfordshire: care-home residents' emergency admissions (aged 75+)",
   'hertfordshire_care_home_emergency.sql'],
  ['Hertfordshire: linkage rate by source', 'hertfordshire_linkage_rate.sql'],
];

const marks = { rounded: '~', perturbed: '?', threshold: '-', dominance: '-', secondary: '-' };

function printTable(result) {
  const names = result.columns.map((c) => c.name);
  const mark = new Map();
  for (const [row, col, rule] of result.disclosure?.cells ?? []) {
    mark.set(`${row},${col}`, marks[rule] ?? '*');
  }
  const text = result.rows.map((row, r) =>
    row.map((v, c) => (v === null ? '' : String(v)) + (mark.get(`${r},${c}`) ?? ' ')));
  const width = names.map((n, c) => Math.max(n.length + 1, ...text.map((row) => row[c].length)));
  const numeric = result.columns.map((c) => /int|double|decimal|real/.test(c.type));
  const cell = (s, c) => (numeric[c] ? s.padStart(width[c]) : s.padEnd(width[c]));
  console.log('  ' + names.map((n, c) => cell(n + ' ', c)).join(' | '));
  console.log('  ' + width.map((w) => '-'.repeat(w)).join('-+-'));
  for (const row of text) console.log('  ' + row.map(cell).join(' | '));
}

// The share of all cost used by the most expensive 20% of people, from cost bands ordered
// from the most expensive down (interpolating within the band that crosses 20%).
function topShare(result, fraction) {
  const persons = result.columns.findIndex((c) => c.name === 'persons');
  const cost = result.columns.findIndex((c) => c.name === 'total_cost');
  const rows = result.rows.filter((r) => r[persons] !== null && r[cost] !== null);
  const allPersons = rows.reduce((s, r) => s + Number(r[persons]), 0);
  const allCost = rows.reduce((s, r) => s + Number(r[cost]), 0);
  let left = fraction * allPersons;
  let share = 0;
  for (const r of rows) {
    const take = Math.min(left, Number(r[persons]));
    share += (take / Number(r[persons])) * Number(r[cost]);
    left -= take;
    if (left <= 0) break;
  }
  return (100 * share) / allCost;
}

let failed = 0;
for (const [title, file] of analyses) {
  const sql = readFileSync(join(dir, file), 'utf8');
  const started = Date.now();
  let response;
  try {
    response = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ sql, dsa, purpose: 'cost-analysis' }),
    });
  } catch (e) {
    console.error(`cannot reach fedgate at ${url}: ${e.cause?.message ?? e.message}`);
    process.exit(1);
  }
  const result = await response.json();
  console.log(`\n${title}  (${file})`);
  if (!response.ok) {
    console.log(`  FAILED (${response.status}): ${result.error?.message}`);
    failed++;
    continue;
  }
  printTable(result);
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  const fromSources = (result.sources ?? [])
    .map((s) => `${s.source} ${s.rows} rows`).join(', ');
  console.log(`  ${result.rows.length} rows in ${seconds} s; from the sources: ${fromSources}`);
  if (file.startsWith('derbyshire')) {
    console.log(`  => the top 20% of people use ${topShare(result, 0.2).toFixed(1)}% of the cost`);
  }
}
console.log('\nmarks: ~ rounded, ? perturbed, - withheld by disclosure control (the value is NULL)');
process.exit(failed ? 1 : 0);
