// The query engine's behaviour beyond answers: errors that name what failed, cancellation
// and timeouts that stop the source's work too, the memory budget, and the output rule
// (row-level results refused, small groups withheld). Real servers from the test harness.

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <set>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "common/error.h"
#include "config/config.h"
#include "engine/query_engine.h"
#include "tests/integration/harness_env.h"

namespace fedgate::testing {
namespace {

std::string SourcesYaml(const HarnessEnv& env, const std::string& acute_port = "") {
  auto conn = [&](const std::string& db, const std::string& port) {
    return "host=" + env.Value("FEDGATE_PG_HOST") + " port=" + port + " dbname=" + db +
           " user=" + db + "_reader password=" + env.Value("FEDGATE_PG_READER_PASSWORD") +
           " connect_timeout=5";
  };
  const std::string pg_port = env.Value("FEDGATE_PG_PORT");
  return "sources:\n"
         "  gp:\n"
         "    kind: postgres\n"
         "    connection: " +
         conn("gp", pg_port) +
         "\n"
         "    tables: {patients: {identifier: nhs_number}, consultations: {identifier: "
         "nhs_number},\n"
         "             prescriptions: {identifier: nhs_number}, diagnoses: {identifier: "
         "nhs_number}}\n"
         "  acute:\n"
         "    kind: postgres\n"
         "    connection: " +
         conn("acute", acute_port.empty() ? pg_port : acute_port) +
         "\n"
         "    tables: {admissions: {identifier: nhs_number}}\n";
}

std::unique_ptr<engine::QueryEngine> MakeEngine(const std::string& settings,
                                                const std::string& acute_port = "") {
  const auto& env = HarnessEnv::Get();
  ::setenv("FEDGATE_TEST_LINKAGE_SECRET", FEDGATE_TEST_SECRET_VALUE, 1);
  std::string yaml = "linkage_secret: {env: FEDGATE_TEST_LINKAGE_SECRET}\ndsa: engine-test\n" +
                     settings + SourcesYaml(env, acute_port);
  return std::make_unique<engine::QueryEngine>(config::ParseConfig(yaml, "engine_test.yaml"));
}

// Runs `sql` and returns the error it raised; fails the test when it raised none.
Error ErrorOf(engine::QueryEngine& engine, const std::string& sql,
              const engine::QueryOptions& options = {}) {
  try {
    engine.Run(sql, options);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error from: " << sql;
  return Error(ErrorCode::kInternal, "no error");
}

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);  // nothing listens there now
  return ntohs(addr.sin_port);
}

// This test's slow query, if a fedgate session still runs it at the source.
int64_t RunningFedgateQueries() {
  int64_t n = -1;
  PgRows("postgres",
         "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fedgate' AND state = "
         "'active' AND "
         "query LIKE '%prescriptions%' AND query LIKE '%duration_min%'",
         [&](const connectors::odbc::TextRow& row) { n = std::stoll(*row[0]); });
  return n;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { FEDGATE_REQUIRE_HARNESS(); }
};

TEST_F(EngineTest, SyntaxErrorHasLineColumnAndPostgresMessage) {
  auto engine = MakeEngine("min_persons: 1\n");
  Error e = ErrorOf(*engine, "SELECT count(*)\nFORM gp.patients");
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_STREQ(e.what(), "syntax error at or near \"gp\"");
  EXPECT_EQ(e.location().line, 2);
  EXPECT_EQ(e.location().column, 6);
}

TEST_F(EngineTest, UnknownTableAndColumnAreNamed) {
  auto engine = MakeEngine("min_persons: 1\n");
  Error table = ErrorOf(*engine, "SELECT count(*) FROM gp.appointments");
  EXPECT_EQ(table.code(), ErrorCode::kNotFound);
  EXPECT_NE(std::string(table.what()).find("gp.appointments"), std::string::npos) << table.what();
  EXPECT_NE(std::string(table.what()).find("gp.patients"), std::string::npos)
      << "should list what exists";
  Error column = ErrorOf(*engine, "SELECT sum(price) FROM acute.admissions");
  EXPECT_NE(std::string(column.what()).find("\"price\""), std::string::npos) << column.what();
  EXPECT_EQ(column.location().line, 1);
  EXPECT_EQ(column.location().column, 12);
  // The raw identifier is not a column of the exposed table.
  Error raw = ErrorOf(*engine, "SELECT count(DISTINCT nhs_number) FROM gp.patients");
  EXPECT_NE(std::string(raw.what()).find("nhs_number"), std::string::npos);
}

TEST_F(EngineTest, UnsupportedConstructIsNamed) {
  auto engine = MakeEngine("min_persons: 1\n");
  Error e = ErrorOf(*engine,
                    "SELECT sex, count(*) FROM gp.patients GROUP BY sex INTERSECT SELECT 'F', 1");
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(e.what()).find("INTERSECT"), std::string::npos) << e.what();
  Error w = ErrorOf(*engine,
                    "SELECT count(*) FROM (SELECT count(*) OVER (ORDER BY sex ROWS CURRENT ROW "
                    "EXCLUDE TIES) AS n FROM gp.patients) t");
  EXPECT_NE(std::string(w.what()).find("EXCLUDE in a window frame is not supported"),
            std::string::npos)
      << w.what();
}

// A fragment the plan reads twice (gp.patients joined to two acute tables, in two branches of a
// UNION ALL) is fetched once and both readers get every row: the answers equal those of the
// branches run alone, and the patients' fragment appears once in the query's statistics.
TEST_F(EngineTest, AFragmentReadTwiceIsFetchedOnce) {
  auto engine = MakeEngine("min_persons: 1\n");
  const std::string one =
      "SELECT count(*) FROM acute.admissions a JOIN gp.patients p ON p.person_id = a.person_id";
  const std::string two = one +
                          " UNION ALL SELECT count(*) FROM acute.admissions a LEFT JOIN "
                          "gp.patients p ON p.person_id = a.person_id WHERE a.cost > 1000";
  const std::string three =
      "SELECT count(*) FROM acute.admissions a LEFT JOIN gp.patients p ON p.person_id = "
      "a.person_id WHERE a.cost > 1000";
  auto both = engine->Run(two);
  auto first = engine->Run(one);
  auto second = engine->Run(three);
  ASSERT_EQ(both.rows.rows, 2u);
  std::multiset<int64_t> got = {both.rows.columns[0].i64[0], both.rows.columns[0].i64[1]};
  std::multiset<int64_t> want = {first.rows.columns[0].i64[0], second.rows.columns[0].i64[0]};
  EXPECT_EQ(got, want);
  int gp_fragments = 0;
  for (const auto& f : both.fragments) gp_fragments += f.source == "gp";
  EXPECT_EQ(gp_fragments, 1) << "gp.patients should be fetched once";
}

// Rule 'window': rows without a person key share one partition in SQL; a value function
// there reads nothing (fedgate's one deliberate difference from PostgreSQL, which the
// differential tests cannot check), so counting the rows with a previous admission gives the
// same answer with and without the unlinkable rows, in the gateway and at the source.
TEST_F(EngineTest, WindowsReadNothingAcrossRowsWithoutAPersonKey) {
  auto engine = MakeEngine("min_persons: 1\n");
  // The harness has 30 unlinkable admissions: PostgreSQL counts 1664 rows with a previous
  // admission over all of them and 1635 over the linked ones.
  const std::string all =
      "SELECT count(*) FROM (SELECT lag(cost) OVER (PARTITION BY person_id ORDER BY spell_id) AS "
      "v FROM acute.admissions) t WHERE v IS NOT NULL";
  const std::string linked =
      "SELECT count(*) FROM (SELECT lag(cost) OVER (PARTITION BY person_id ORDER BY spell_id) AS "
      "v FROM acute.admissions WHERE person_id IS NOT NULL) t WHERE v IS NOT NULL";
  for (bool pushdown : {true, false}) {
    engine::QueryOptions options;
    options.optimizer.Set("window_pushdown", pushdown);
    auto a = engine->Run(all, options);
    auto b = engine->Run(linked, options);
    ASSERT_EQ(a.rows.rows, 1u);
    ASSERT_EQ(b.rows.rows, 1u);
    EXPECT_EQ(a.rows.columns[0].i64[0], b.rows.columns[0].i64[0]) << "pushdown " << pushdown;
    EXPECT_GT(b.rows.columns[0].i64[0], 0);
  }
}

// median(x) is PostgreSQL-less shorthand (the differential tests cannot check it against the
// reference): it must equal percentile_cont(0.5) WITHIN GROUP (ORDER BY x), group by group.
TEST_F(EngineTest, MedianIsTheContinuousHalfPercentile) {
  auto engine = MakeEngine("min_persons: 1\n");
  auto r = engine->Run(
      "SELECT admission_method, median(cost) AS m, percentile_cont(0.5) WITHIN GROUP (ORDER BY "
      "cost) AS p FROM acute.admissions GROUP BY admission_method");
  ASSERT_GE(r.rows.rows, 3u);
  for (size_t i = 0; i < r.rows.rows; ++i) {
    ASSERT_FALSE(r.rows.columns[1].IsNull(i));
    EXPECT_DOUBLE_EQ(r.rows.columns[1].f64[i], r.rows.columns[2].f64[i]);
  }
}

TEST_F(EngineTest, UnreachableSourceIsNamedAndNothingIsReturned) {
  auto engine = MakeEngine("min_persons: 1\n", std::to_string(FreeLoopbackPort()));
  Error e = ErrorOf(
      *engine,
      "SELECT count(*) FROM gp.patients p JOIN acute.admissions a ON a.person_id = p.person_id");
  EXPECT_EQ(e.code(), ErrorCode::kSource);
  EXPECT_NE(std::string(e.what()).find("acute"), std::string::npos) << e.what();
  // The reachable source still answers on its own.
  EXPECT_EQ(engine->Run("SELECT count(*) FROM gp.patients").rows.rows, 1u);
}

TEST_F(EngineTest, CancelStopsGatewayAndSourceWork) {
  auto engine = MakeEngine("min_persons: 1\n");
  std::atomic<bool> cancel{false};
  engine::QueryOptions options;
  options.cancel = &cancel;
  // A non-equi self-join within gp runs at the source and takes minutes there.
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  Error e = ErrorOf(*engine,
                    "SELECT count(*) FROM gp.consultations a JOIN gp.prescriptions b ON a.cost > "
                    "b.cost + a.duration_min",
                    options);
  canceller.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(e.code(), ErrorCode::kCancelled) << e.what();
  EXPECT_LT(seconds, 10.0);
  // PQcancel reached the server: fedgate's query is no longer running there.
  int64_t running = -1;
  for (int i = 0; i < 50 && running != 0; ++i) {
    running = RunningFedgateQueries();
    if (running != 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(running, 0);
}

TEST_F(EngineTest, CancelStopsGatewaySideWork) {
  auto engine = MakeEngine("min_persons: 1\n");
  std::atomic<bool> cancel{false};
  engine::QueryOptions options;
  options.cancel = &cancel;
  options.optimizer.Set("all", false);  // the cross product is the gateway's to compute
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    cancel = true;
  });
  Error e =
      ErrorOf(*engine, "SELECT count(*) FROM gp.consultations a, gp.prescriptions b", options);
  canceller.join();
  EXPECT_EQ(e.code(), ErrorCode::kCancelled) << e.what();
}

TEST_F(EngineTest, TimeoutCancels) {
  auto engine = MakeEngine("min_persons: 1\nquery_timeout_seconds: 1\n");
  Error e = ErrorOf(*engine,
                    "SELECT count(*) FROM gp.consultations a JOIN gp.prescriptions b ON a.cost > "
                    "b.cost + a.duration_min");
  EXPECT_EQ(e.code(), ErrorCode::kCancelled);
  EXPECT_NE(std::string(e.what()).find("timed out after 1 s"), std::string::npos) << e.what();
}

TEST_F(EngineTest, MemoryBudgetIsAClearError) {
  auto engine = MakeEngine("min_persons: 1\nmemory_budget_mb: 16\n");
  engine::QueryOptions options;
  options.optimizer.Set("aggregate_pushdown", false);
  options.optimizer.Set("join_pushdown", false);
  Error e = ErrorOf(*engine,
                    "SELECT count(*) FROM (SELECT a.consultation_id, b.prescription_id FROM "
                    "gp.consultations a JOIN "
                    "gp.prescriptions b ON a.person_id = b.person_id GROUP BY 1, 2) x",
                    options);
  EXPECT_EQ(e.code(), ErrorCode::kResourceExhausted) << e.what();
  EXPECT_NE(std::string(e.what()).find("16"), std::string::npos)
      << "should say the budget: " << e.what();
}

TEST_F(EngineTest, RowLevelOutputIsRefused) {
  auto engine = MakeEngine("min_persons: 1\n");
  for (const char* sql :
       {"SELECT person_id, cost FROM acute.admissions", "SELECT cost FROM acute.admissions",
        "SELECT person_id, sum(cost) FROM acute.admissions GROUP BY person_id",
        "SELECT sum(cost) FROM acute.admissions GROUP BY person_id"}) {
    Error e = ErrorOf(*engine, sql);
    EXPECT_EQ(e.code(), ErrorCode::kPermissionDenied) << sql << ": " << e.what();
  }
}

TEST_F(EngineTest, SmallGroupsAreWithheldAndMarked) {
  auto engine = MakeEngine("min_persons: 10\n");
  // Persons per number of conditions: the long tail has groups of fewer than 10 persons.
  auto r = engine->Run(
      "SELECT n, count(*) AS persons FROM (SELECT person_id, count(*) AS n FROM gp.diagnoses WHERE "
      "person_id IS "
      "NOT NULL GROUP BY person_id) x GROUP BY n");
  ASSERT_GT(r.rows.rows, 0u);
  int64_t suppressed = 0;
  for (size_t row = 0; row < r.rows.rows; ++row) {
    EXPECT_FALSE(r.rows.columns[0].IsNull(row)) << "group keys stay visible";
    if (r.disclosure.suppressed[row]) {
      ++suppressed;
      EXPECT_TRUE(r.rows.columns[1].IsNull(row)) << "a withheld count must be NULL";
    } else {
      EXPECT_GE(r.rows.columns[1].i64[row], 10);
    }
  }
  EXPECT_GT(suppressed, 0) << "expected at least one small group";
  EXPECT_EQ(suppressed, r.disclosure.suppressed_rows);
  // A group of unlinkable rows only covers no known person: withheld too.
  auto none = engine->Run("SELECT count(*) FROM acute.admissions WHERE person_id IS NULL");
  ASSERT_EQ(none.rows.rows, 1u);
  EXPECT_EQ(none.disclosure.suppressed_rows, 1);
}

TEST_F(EngineTest, ScalarSubqueryObeysTheOutputRule) {
  auto engine = MakeEngine("min_persons: 10\n");
  Error e = ErrorOf(*engine,
                    "SELECT count(*), (SELECT max(cost) FROM acute.admissions WHERE spell_id = 1) "
                    "FROM gp.patients");
  EXPECT_EQ(e.code(), ErrorCode::kPermissionDenied) << e.what();
}

TEST_F(EngineTest, ExplainShowsPerPersonPartialAggregationAtEverySource) {
  auto engine = MakeEngine("min_persons: 1\n");
  auto plan = engine->Explain(
      "WITH costs AS (SELECT person_id, cost FROM acute.admissions UNION ALL SELECT person_id, "
      "cost FROM "
      "gp.consultations UNION ALL SELECT person_id, cost FROM gp.prescriptions), per_person AS "
      "(SELECT person_id, "
      "sum(cost) AS total FROM costs GROUP BY person_id) SELECT CASE WHEN extract(year FROM "
      "age(DATE '2025-03-31', "
      "p.date_of_birth)) < 65 THEN 'under 65' ELSE '65+' END AS age_band, count(*), sum(total) "
      "FROM per_person c "
      "JOIN gp.patients p ON p.person_id = c.person_id GROUP BY 1");
  ASSERT_EQ(plan.fragments.size(), 3u) << plan.ToString();
  int grouped = 0;
  for (const auto& f : plan.fragments) {
    if (f.sql.find("GROUP BY") != std::string::npos) {
      ++grouped;
      EXPECT_NE(f.sql.find("GROUP BY"), std::string::npos);
      EXPECT_NE(f.sql.find("sum("), std::string::npos) << f.sql;
    }
  }
  EXPECT_EQ(grouped, 2) << "acute and gp each aggregate per person:\n" << plan.ToString();
  EXPECT_NE(plan.plan.find("Final aggregate per person"), std::string::npos) << plan.plan;
  EXPECT_NE(plan.plan.find("Partial aggregate per person"), std::string::npos) << plan.plan;
}

}  // namespace
}  // namespace fedgate::testing
