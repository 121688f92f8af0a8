// Data-sharing agreements end to end on the test harness's servers: the adversarial suite
// (tests/policy/adversarial.test), refusals that are audited, record-level output re-keyed,
// and an audit trail that survives SIGKILL in the middle of a stream of queries.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/pseudonymiser.h"
#include "config/config.h"
#include "engine/query_engine.h"
#include "planner/value.h"
#include "policy/gate.h"
#include "tests/integration/harness_env.h"
#include "tests/policy/test_gateway.h"

namespace fedgate::testing {
namespace {

struct AdversarialCase {
  int line = 0;
  std::string label;
  bool refuse = false;
  std::string expect;  // refuse: message text; protect: outcome
  std::vector<std::string> multiple_of_5;
  std::string sql;
};

std::vector<AdversarialCase> LoadCases() {
  std::ifstream in(kDir + "/adversarial.test");
  std::vector<AdversarialCase> cases;
  std::string line;
  int number = 0;
  AdversarialCase* open = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (open) {
      if (line == "----") {
        open = nullptr;
      } else {
        open->sql += line + "\n";
      }
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string kind;
    AdversarialCase c;
    c.line = number;
    words >> kind >> c.label;
    if (kind == "refuse") {
      c.refuse = true;
      std::getline(words, c.expect);
      c.expect.erase(0, c.expect.find_first_not_of(' '));
    } else if (kind == "protect") {
      words >> c.expect;
      std::string extra;
      if (words >> extra) {
        if (extra.rfind("multiple_of_5=", 0) != 0)
          throw std::runtime_error("bad flag at line " + std::to_string(number));
        std::stringstream cols(extra.substr(14));
        std::string col;
        while (std::getline(cols, col, ',')) c.multiple_of_5.push_back(col);
      }
    } else {
      throw std::runtime_error("adversarial.test:" + std::to_string(number) +
                               ": expected refuse or protect");
    }
    cases.push_back(std::move(c));
    open = &cases.back();
  }
  return cases;
}

Gateway& Shared() {
  static Gateway g("adversarial");
  return g;
}

// For a result with totals (the first columns are the group keys, NULL in a margin; the last
// visible column the count): in every line, i.e. the cells that differ in one key plus the
// margin where that key is NULL, none or at least two cells are withheld.
void CheckNoLoneWithheldCell(const engine::QueryResult& r) {
  size_t nk = 0;
  while (nk < r.columns.size() && r.columns[nk].group_key) ++nk;
  const size_t last = r.columns.size() - 1;
  auto key = [&](size_t row, size_t k) {
    const Column& c = r.rows.columns[k];
    return c.IsNull(row) ? std::string("<all>") : planner::GetValue(c, row).ToString();
  };
  for (size_t k = 0; k < nk; ++k) {
    std::map<std::string, std::pair<int, int>> lines;  // other keys -> (cells, withheld)
    for (size_t row = 0; row < r.rows.rows; ++row) {
      std::string id;
      for (size_t j = 0; j < nk; ++j) id += j == k ? "*|" : key(row, j) + "|";
      auto& [cells, withheld] = lines[id];
      ++cells;
      withheld += r.rows.columns[last].IsNull(row);
    }
    for (const auto& [id, counts] : lines) {
      EXPECT_NE(counts.second, 1) << "line " << id << " (varying key " << k
                                  << ") has exactly one withheld cell";
    }
  }
}

class AdversarialTest : public ::testing::TestWithParam<AdversarialCase> {};

TEST_P(AdversarialTest, RefusedOrProtected) {
  FEDGATE_REQUIRE_HARNESS();
  const AdversarialCase& c = GetParam();
  SCOPED_TRACE("adversarial.test:" + std::to_string(c.line) + "\n" + c.sql);
  Gateway& g = Shared();
  const auto session = g.Session("ana", "cost-analysis");
  if (c.refuse) {
    try {
      g.gate->Query(session, "symphony-test", c.sql);
      FAIL() << "released; expected a refusal mentioning '" << c.expect << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos)
          << "refused, but: " << e.what();
    }
    return;
  }
  engine::QueryResult r;
  try {
    r = g.gate->Query(session, "symphony-test", c.sql);
  } catch (const Error& e) {
    FAIL() << "refused (" << e.what() << "); expected a protected result (" << c.expect << ")";
  }
  const size_t nc = r.columns.size();
  int64_t withheld_rows = 0, dominance_cells = 0, secondary_cells = 0, percentile_cells = 0,
          threshold_cells = 0;  // withheld by the threshold in a row that is not
  for (size_t row = 0; row < r.rows.rows; ++row) {
    bool all_withheld = true;
    for (size_t col = 0; col < nc; ++col) {
      if (r.columns[col].group_key) continue;
      if (!r.rows.columns[col].IsNull(row)) all_withheld = false;
      if (r.disclosure.cell_rules[row * nc + col] ==
          static_cast<uint8_t>(disclosure::Rule::kDominance))
        ++dominance_cells;
      if (r.disclosure.cell_rules[row * nc + col] ==
          static_cast<uint8_t>(disclosure::Rule::kSecondary))
        ++secondary_cells;
      if (!r.disclosure.suppressed[row] && r.disclosure.cell_rules[row * nc + col] ==
                                               static_cast<uint8_t>(disclosure::Rule::kThreshold)) {
        ++threshold_cells;
        EXPECT_TRUE(r.rows.columns[col].IsNull(row)) << "a cell marked 'threshold' shows a value";
      }
      if (r.disclosure.cell_rules[row * nc + col] ==
          static_cast<uint8_t>(disclosure::Rule::kPercentile)) {
        ++percentile_cells;
        EXPECT_TRUE(r.rows.columns[col].IsNull(row)) << "a cell marked 'percentile' shows a value";
      }
    }
    if (r.disclosure.suppressed[row]) {
      EXPECT_TRUE(all_withheld) << "row " << row << " is under the threshold but shows values";
      ++withheld_rows;
    }
  }
  const int64_t rows = static_cast<int64_t>(r.rows.rows);
  if (c.expect == "withheld") {
    EXPECT_EQ(withheld_rows, rows) << "every row should be withheld";
  } else if (c.expect == "some-withheld") {
    EXPECT_GT(withheld_rows, 0);
    EXPECT_LT(withheld_rows, rows);
  } else if (c.expect == "released") {
    EXPECT_GT(rows, 0);
    EXPECT_EQ(withheld_rows, 0);
  } else if (c.expect == "empty") {
    EXPECT_EQ(rows, 0);
  } else if (c.expect == "dominance") {
    EXPECT_GT(dominance_cells, 0);
  } else if (c.expect == "percentile") {
    EXPECT_GT(percentile_cells, 0);
  } else if (c.expect == "cell-threshold") {
    EXPECT_GT(threshold_cells, 0);
    EXPECT_EQ(withheld_rows, 0);
  } else if (c.expect == "secondary") {
    EXPECT_GT(secondary_cells, 0) << [&] {
      std::string dump;
      for (size_t row = 0; row < r.rows.rows; ++row) {
        for (size_t col = 0; col < nc; ++col) {
          dump += (r.rows.columns[col].IsNull(row)
                       ? std::string("NULL")
                       : planner::GetValue(r.rows.columns[col], row).ToString()) +
                  "/" + std::to_string(r.disclosure.cell_rules[row * nc + col]) + " ";
        }
        dump += "\n";
      }
      return dump;
    }();
    CheckNoLoneWithheldCell(r);
  } else {
    FAIL() << "unknown expectation " << c.expect;
  }
  for (const auto& name : c.multiple_of_5) {
    size_t col = nc;
    for (size_t k = 0; k < nc; ++k) {
      if (r.columns[k].name == name) col = k;
    }
    ASSERT_LT(col, nc) << "no column " << name;
    for (size_t row = 0; row < r.rows.rows; ++row) {
      if (r.rows.columns[col].IsNull(row)) continue;
      double v = planner::GetValue(r.rows.columns[col], row).AsDouble();
      EXPECT_EQ(std::fmod(v, 5.0), 0.0)
          << name << " = " << v << " in row " << row << " is not rounded to 5";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Suite, AdversarialTest, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<AdversarialCase>& info) {
                           return info.param.label;
                         });

class PolicyEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { FEDGATE_REQUIRE_HARNESS(); }
};

// Every refusal by a disclosure rule is kPermissionDenied naming the rule, and audited as
// refused (not failed), whichever step of the query raised it.
TEST_F(PolicyEngineTest, DisclosureRefusalsAreAuditedAsRefused) {
  Gateway g("disclosure-refusals");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"SELECT sex, count(*) FROM gp.patients GROUP BY ROLLUP (sex) LIMIT 1", "rule 'secondary'"},
      {"SELECT sex, count(*) FROM gp.patients GROUP BY ROLLUP (sex) HAVING count(*) > 5",
       "rule 'secondary'"},
      {"SELECT max(cost) FROM acute.admissions", "rule 'extremes'"},
      {"SELECT person_id FROM gp.patients", "rule 'output-level'"},
      {"SELECT count(*) FROM gp.patients WHERE date_of_birth > (SELECT date_of_birth FROM "
       "gp.patients LIMIT 1)",
       "rule 'output-level'"},
  };
  for (const auto& [sql, rule] : cases) {
    try {
      g.gate->Query(g.Session("ana", "cost-analysis"), "symphony-test", sql);
      ADD_FAILURE() << "released: " << sql;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kPermissionDenied) << sql << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find(rule), std::string::npos) << e.what();
    }
  }
  auto records = g.Records();
  ASSERT_EQ(records.size(), cases.size());
  for (const auto& r : records) EXPECT_EQ(r["outcome"], "refused") << r.dump();
}

// The refusals that need no SQL, each with its audit record.
TEST_F(PolicyEngineTest, AccessRefusalsAreClearAndAudited) {
  Gateway g("access");
  struct Refusal {
    std::string user, purpose, dsa, expect;
  };
  const std::vector<Refusal> refusals = {
      {"ana", "cost-analysis", "expired-test",
       "refused by rule 'validity' of DSA expired-test: the agreement expired on 2024-03-31"},
      {"ana", "marketing", "symphony-test",
       "refused by rule 'purposes' of DSA symphony-test: purpose 'marketing' is not one"},
      {"eve", "cost-analysis", "symphony-test",
       "refused by rule 'recipients' of DSA symphony-test: user eve (role analyst, organisation "
       "another-org) is not a recipient"},
      {"mallory", "cost-analysis", "symphony-test", "user mallory is not a known user"},
      {"ana", "cost-analysis", "no-such-dsa", "no DSA 'no-such-dsa' is in force"},
  };
  for (const auto& r : refusals) {
    try {
      g.gate->Query(g.Session(r.user, r.purpose), r.dsa, "SELECT count(*) FROM gp.patients");
      ADD_FAILURE() << "released for " << r.user << "/" << r.purpose << "/" << r.dsa;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(r.expect), std::string::npos) << e.what();
    }
  }
  auto records = g.Records();
  ASSERT_EQ(records.size(), refusals.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["outcome"], "refused") << records[i].dump();
    EXPECT_EQ(records[i]["user"], refusals[i].user);
    EXPECT_EQ(records[i]["dsa"], refusals[i].dsa);
    EXPECT_NE(records[i]["error"].get<std::string>().find(refusals[i].expect), std::string::npos);
  }
  EXPECT_TRUE(audit::VerifyAuditLog(g.audit_path).ok);
}

TEST_F(PolicyEngineTest, MalformedDsaIsRejectedAndItsQueriesRefused) {
  Gateway g("malformed");
  auto dir =
      std::filesystem::temp_directory_path() / ("fedgate-dsas-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(kDir + "/dsas/symphony.yaml", dir / "symphony.yaml",
                             std::filesystem::copy_options::overwrite_existing);
  std::ofstream(dir / "broken.yaml") << "dsa: broken-test\nowner: x\nparties: gp\n";
  policy::DsaRegistry registry(dir.string());
  auto report = registry.Reload();
  ASSERT_EQ(report.rejected.size(), 1u);
  EXPECT_NE(report.rejected[0].message.find("broken.yaml:3:10: parties must be a list"),
            std::string::npos)
      << report.rejected[0].message;
  policy::PolicyGate gate(*g.engine, registry, g.audit.get());
  gate.AuditReload(report);
  EXPECT_THROW(gate.Query(g.Session("ana", "cost-analysis"), "broken-test",
                          "SELECT count(*) FROM gp.patients"),
               Error);
  auto records = g.Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["event"], "policy_reload");
  EXPECT_EQ(records[0]["rejected"][0]["file"], (dir / "broken.yaml").string());
  EXPECT_EQ(records[1]["outcome"], "refused");
  std::filesystem::remove_all(dir);
}

TEST_F(PolicyEngineTest, ReleasedQueryIsAuditedWithFragments) {
  Gateway g("released");
  auto r = g.gate->Query(g.Session("ana", "cost-analysis"), "symphony-test",
                         "SELECT p.sex, count(*), sum(a.cost) FROM gp.patients p JOIN "
                         "acute.admissions a USING (person_id) "
                         "GROUP BY p.sex");
  ASSERT_EQ(r.rows.rows, 2u);
  auto records = g.Records();
  ASSERT_EQ(records.size(), 1u);
  const auto& rec = records[0];
  EXPECT_EQ(rec["outcome"], "released");
  EXPECT_EQ(rec["purpose"], "cost-analysis");
  EXPECT_EQ(rec["organisation"], "symphony-pmo");
  EXPECT_EQ(rec["dsa_file_sha256"].get<std::string>().size(), 64u);
  ASSERT_EQ(rec["fragments"].size(), 2u);
  for (const auto& f : rec["fragments"]) EXPECT_GT(f["rows"].get<int64_t>(), 0);
  EXPECT_TRUE(rec["rules"].contains("rounded")) << rec.dump();
}

TEST_F(PolicyEngineTest, PercentilesRefusedWhereTheDsaSaysSo) {
  Gateway g("percentiles");
  auto session = g.Session("pia", "cost-analysis");
  for (const char* sql :
       {"SELECT admission_method, median(cost) FROM acute.admissions GROUP BY 1",
        "SELECT mode() WITHIN GROUP (ORDER BY admission_method) FROM acute.admissions",
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY total) FROM (SELECT person_id, "
        "sum(cost) AS total FROM acute.admissions GROUP BY person_id) t"}) {
    try {
      g.gate->Query(session, "no-percentiles-test", sql);
      ADD_FAILURE() << "released: " << sql;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kPermissionDenied);
      EXPECT_NE(std::string(e.what()).find("refused by rule 'percentile' of DSA "
                                           "no-percentiles-test"),
                std::string::npos)
          << e.what();
    }
  }
  // Per person (an intermediate level a later aggregate consumes) is allowed.
  auto r = g.gate->Query(session, "no-percentiles-test",
                         "SELECT count(*) FROM (SELECT person_id, percentile_cont(0.5) WITHIN "
                         "GROUP (ORDER BY cost) AS m FROM acute.admissions GROUP BY person_id) t "
                         "WHERE m > 1000");
  EXPECT_EQ(r.rows.rows, 1u);
}

TEST_F(PolicyEngineTest, RecordLevelOutputIsRekeyedAndThresholded) {
  Gateway g("records");
  auto session = g.Session("rex", "research");
  auto r = g.gate->Query(session, "records-test",
                         "SELECT person_id, condition FROM gp.diagnoses WHERE condition = 'smi'");
  ASSERT_GE(r.rows.rows, 10u);
  EXPECT_TRUE(r.disclosure.records);
  // The released keys are not the linkage pseudonyms of these persons under the DSA.
  Pseudonymiser linkage(FEDGATE_TEST_SECRET_VALUE, "records-test");
  std::set<std::string> linkage_keys, released;
  PgRows("gp", "SELECT nhs_number FROM diagnoses WHERE condition = 'smi'",
         [&](const connectors::odbc::TextRow& row) {
           if (row[0]) {
             if (auto p = linkage.FromRaw(*row[0])) linkage_keys.insert(p->Hex());
           }
         });
  for (size_t i = 0; i < r.rows.rows; ++i) {
    if (!r.rows.columns[0].IsNull(i)) released.insert(r.rows.columns[0].pseudo[i].Hex());
  }
  EXPECT_EQ(released.size(), linkage_keys.size()) << "one output key per person";
  for (const auto& k : released)
    EXPECT_FALSE(linkage_keys.count(k)) << "a linkage pseudonym left fedgate";
  // Fewer than min_persons persons: refused.
  try {
    g.gate->Query(session, "records-test",
                  "SELECT person_id, condition FROM gp.diagnoses WHERE condition = 'smi' AND "
                  "person_id IS NULL");
    ADD_FAILURE() << "records of unlinkable rows only were released";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fewer than min_persons"), std::string::npos) << e.what();
  }
}

// Cell-key perturbation: small adjustments (the table's -5..5, wide enough to blunt
// differencing: tests/policy/differencing_test.cpp) keyed on the persons in each cell and
// the cell's definition, the same every time the same cell is asked for.
TEST_F(PolicyEngineTest, CellKeyPerturbationIsSmallAndRepeatable) {
  Gateway g("perturbed");
  const std::string sql =
      "SELECT practice_code, sex, count(*) AS n FROM gp.patients GROUP BY practice_code, sex ORDER "
      "BY 1, 2";
  auto session = g.Session("ana", "cost-analysis");
  auto first = g.gate->Query(session, "perturbed-test", sql);
  auto second = g.gate->Query(session, "perturbed-test", sql);
  engine::QueryOptions exact;  // no DSA: the exact counts (min_persons 10 from the config default)
  auto truth = g.engine->Run(sql, exact);
  ASSERT_EQ(first.rows.rows, truth.rows.rows);
  ASSERT_EQ(second.rows.rows, truth.rows.rows);
  int perturbed = 0;
  for (size_t r = 0; r < truth.rows.rows; ++r) {
    if (truth.rows.columns[2].IsNull(r)) continue;
    const int64_t t = truth.rows.columns[2].i64[r];
    const int64_t a = first.rows.columns[2].i64[r];
    EXPECT_EQ(a, second.rows.columns[2].i64[r]) << "row " << r << ": same cell, different answer";
    EXPECT_LE(std::abs(a - t), 5) << "row " << r;
    EXPECT_GE(a, 1);
    perturbed += a != t;
    EXPECT_EQ(first.disclosure.cell_rules[r * 3 + 2] ==
                  static_cast<uint8_t>(disclosure::Rule::kPerturbed),
              a != t);
  }
  EXPECT_GT(perturbed, 0) << "no cell was perturbed";
  EXPECT_LT(perturbed, static_cast<int>(truth.rows.rows)) << "every cell was perturbed";
}

// A gateway process answering a stream of queries is killed with SIGKILL: the audit log
// verifies, and every result the process released has its record.
TEST_F(PolicyEngineTest, AuditSurvivesSigkillDuringQueries) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("fedgate-audit-kill-" + std::to_string(::getpid()) + ".log"))
                               .string();
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".head");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    ExportEnv(path);
    auto config = config::LoadConfig(kDir + "/fedgate_policy_test.yaml");
    engine::QueryEngine engine(config);
    policy::DsaRegistry registry(kDir + "/dsas");
    registry.Reload();
    audit::AuditLog audit(path);
    policy::PolicyGate gate(engine, registry, &audit);
    policy::Session s{"ana", "analyst", "symphony-pmo", "cost-analysis"};
    for (int64_t i = 0;; ++i) {
      std::string sql = "SELECT sex, count(*) FROM gp.patients WHERE practice_code = 'SSP0" +
                        std::to_string(1 + i % 9) + "' GROUP BY sex";
      try {
        gate.Query(s, "symphony-test", sql);
      } catch (...) {
        ::_exit(4);
      }
      if (::write(fds[1], &i, sizeof i) != sizeof i) ::_exit(3);  // the result is out
    }
  }
  ::close(fds[1]);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the query loop stopped on its own (status " << status << ")";
  int64_t released = 0, i;
  while (::read(fds[0], &i, sizeof i) == sizeof i) ++released;
  ::close(fds[0]);
  ASSERT_GT(released, 0);
  {
    audit::AuditLog reopened(path);  // a torn last line, if any, is cut off
  }
  auto report = audit::VerifyAuditLog(path);
  ASSERT_TRUE(report.ok) << report.problem << " at record " << report.first_bad;
  int64_t logged = 0;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    logged += nlohmann::json::parse(line).value("outcome", "") == "released";
  EXPECT_GE(logged, released) << "a released result has no audit record";
  EXPECT_LE(logged, released + 1);
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".head");
}

}  // namespace
}  // namespace fedgate::testing
