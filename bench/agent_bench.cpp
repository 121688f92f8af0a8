// Batches over Thrift: rows/s of one fragment read through a source agent (gateway <- agent,
// mutual TLS, pseudonymised at the agent) against the same fragment through the direct
// PostgreSQL connector (pseudonymised in the gateway).
//
//   fedgate_agent_bench [--rows N] [--runs R]
//
// Uses the PostgreSQL server of the harness whose env lines are in the environment
// (FEDGATE_PG_*; ./run bench sources them). Makes gp.agent_bench_rows with N rows (default
// 2,000,000; kept when it already has N): an id, an NHS number (about 9% with an impossible
// check digit, as real data has), a numeric(10,2), a date, a text and an int. Starts
// `fedgate-agent` for gp with throwaway certificates (openssl), then R rounds (default 5)
// reads the whole table both ways into columnar batches and prints the median rows/s of each
// and the median over rounds of the agent path's time over the direct path's (goal: under 1.3).

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "common/args.h"
#include "common/error.h"
#include "config/config.h"
#include "connectors/agent/agent_connector.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/postgres_connector.h"
#include "planner/catalog.h"
#include "planner/deparse/deparse.h"
#include "planner/logical_plan.h"
#include "planner/wire/fragment_codec.h"

namespace {

using namespace fedgate;

using bench::Env;
using bench::Median;

void Shell(const std::string& cmd) {
  if (std::system(cmd.c_str()) != 0) throw Error(ErrorCode::kInternal, "failed: " + cmd);
}

int FreePort() {
  for (int p = 40000 + static_cast<int>(::getpid() % 10000);; ++p) {
    const std::string probe = "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(p);
    if (std::system(("bash -c '" + probe + "' 2>/dev/null").c_str()) != 0) return p;
  }
}

// Reads every row of `fragment` through `connector`; returns the rows.
int64_t Drain(connectors::Connector& connector, const connectors::Fragment& fragment,
              const connectors::QueryContext& ctx) {
  auto scan = connector.Open(fragment, ctx);
  Batch batch;
  int64_t rows = 0;
  while (scan->Next(batch)) rows += static_cast<int64_t>(batch.rows);
  return rows;
}

int Main(int argc, char** argv) {
  ArgParser args("agent_bench", "Batches through an agent vs the direct connector (see source).");
  args.Option("rows", "N", "Rows in the benchmark table", "2000000")
      .Option("runs", "R", "Timed rounds (each reads both ways)", "5");
  if (!args.Parse(argc, argv, 1, std::cout)) return 0;
  const int64_t rows = args.GetInt("rows");
  const int runs = static_cast<int>(args.GetInt("runs"));
  const std::string admin = "host=" + Env("FEDGATE_PG_HOST") + " port=" + Env("FEDGATE_PG_PORT") +
                            " user=postgres password=" + Env("FEDGATE_PG_ADMIN_PASSWORD");
  {
    connectors::pg::PgConnection gp("gp", admin, std::string("gp"));
    int64_t have = -1;
    try {
      have = std::stoll(std::string(gp.Query("SELECT count(*) FROM agent_bench_rows").Get(0, 0)));
    } catch (const Error&) {
    }
    if (have != rows) {
      std::cout << "making gp.agent_bench_rows with " << rows << " rows..." << std::flush;
      gp.Exec("DROP TABLE IF EXISTS agent_bench_rows");
      std::string sum;
      for (int k = 1; k <= 9; ++k)
        sum += (k > 1 ? " + " : "") + std::string("substr(nine, ") + std::to_string(k) +
               ", 1)::int * " + std::to_string(11 - k);
      gp.Exec(
          "CREATE TABLE agent_bench_rows AS WITH s AS (SELECT g AS id, "
          "lpad(((g::bigint * 7919) % 900000000 + 100000000)::text, 9, '0') AS nine "
          "FROM generate_series(1, " +
          std::to_string(rows) + ") g) SELECT id, nine || ((11 - (" + sum +
          ") % 11) % 11)::text AS nhs_number, ((id % 100000) / 100.0)::numeric(10,2) AS amount, "
          "DATE '2024-04-01' + (id % 365)::int AS day, 'row ' || id AS label, (id % 7)::int AS "
          "flag FROM s");
      gp.Exec("GRANT SELECT ON agent_bench_rows TO gp_reader");
      gp.Exec("ANALYZE agent_bench_rows");
      std::cout << " done\n";
    }
  }

  // An agent for gp with throwaway certificates.
  char tmpl[] = "/tmp/fedgate-agent-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) throw Error(ErrorCode::kInternal, "mkdtemp failed");
  const std::string dir = tmpl;
  Shell("cd " + dir +
        " && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=bench CA' "
        "-keyout ca-key.pem -out ca.pem 2>/dev/null"
        " && for n in agent gateway; do openssl req -newkey rsa:2048 -nodes -subj \"/CN=$n\" "
        "-keyout $n-key.pem -out $n.csr 2>/dev/null; done"
        " && echo 'subjectAltName=DNS:localhost,IP:127.0.0.1' > agent.ext"
        " && openssl x509 -req -in agent.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial "
        "-days 2 -extfile agent.ext -out agent.pem 2>/dev/null"
        " && openssl x509 -req -in gateway.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial "
        "-days 2 -out gateway.pem 2>/dev/null");
  const int port = FreePort();
  const std::string reader =
      "host=" + Env("FEDGATE_PG_HOST") + " port=" + Env("FEDGATE_PG_PORT") +
      " dbname=gp user=gp_reader password=" + Env("FEDGATE_PG_READER_PASSWORD");
  std::ofstream(dir + "/agent.yaml")
      << "linkage_secret: {env: FEDGATE_BENCH_SECRET}\n"
      << "agent:\n  listen: 127.0.0.1:" << port << "\n  source: gp\n"
      << "  tls: {ca: ca.pem, certificate: agent.pem, key: agent-key.pem}\n"
      << "  allowed_gateways: [gateway]\n"
      << "sources:\n  gp:\n    kind: postgres\n    connection: " << reader
      << "\n    tables:\n      agent_bench_rows: {identifier: nhs_number}\n";
  ::setenv("FEDGATE_BENCH_SECRET", "agent-bench-secret-not-for-real-data", 1);
  const pid_t agent_pid = ::fork();
  if (agent_pid == 0) {
    const std::string config = dir + "/agent.yaml";
    ::execl(FEDGATE_AGENT_BINARY, "fedgate-agent", "--config", config.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  struct Stop {
    pid_t pid;
    std::string dir;
    ~Stop() {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
      std::filesystem::remove_all(dir);
    }
  } stop{agent_pid, dir};

  agent::AgentConnector via_agent(
      "gp", "localhost", port, {dir + "/ca.pem", dir + "/gateway.pem", dir + "/gateway-key.pem"});
  for (int i = 0;; ++i) {
    try {
      via_agent.About();
      break;
    } catch (const Error&) {
      if (i > 100) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  connectors::pg::PostgresConnector direct("gp", reader);

  // One Get of every column, as the planner would send it either way.
  config::GatewayConfig config;
  config.sources["gp"] = config::SourceConfig{};
  config.sources["gp"].name = "gp";
  config.sources["gp"].kind = "postgres";
  config.sources["gp"].connection = reader;
  config.sources["gp"].tables["agent_bench_rows"] = {"agent_bench_rows", "nhs_number", "", "", {}};
  planner::Catalog catalog(config);
  const planner::CatalogTable& table = catalog.Table("gp", "agent_bench_rows");
  planner::LogicalOp get(planner::OpKind::kGet);
  get.table = &table;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    get.table_columns.push_back(static_cast<int>(c));
    get.columns.push_back({table.columns[c].name, table.columns[c].type, false, false});
    if (table.columns[c].person) get.person_columns.push_back(static_cast<int>(c));
  }
  connectors::Fragment fragment;
  fragment.source = "gp";
  fragment.sql = planner::RenderFragmentSql(get, sql::PostgresDialect());
  for (const auto& c : get.columns)
    fragment.columns.push_back({c.name, c.type, c.type.id == TypeId::kPseudonym});
  connectors::Fragment structured = fragment;
  structured.structured = planner::EncodeFragment(get);

  Pseudonymiser key("agent-bench-secret-not-for-real-data", "bench");
  connectors::QueryContext ctx;
  ctx.pseudonymiser = &key;
  ctx.dsa = "bench";
  ctx.user = "bench";
  std::vector<double> agent_s, direct_s;
  for (int r = 0; r < runs + 1; ++r) {  // the first round warms both up
    auto t0 = std::chrono::steady_clock::now();
    const int64_t a = Drain(via_agent, structured, ctx);
    auto t1 = std::chrono::steady_clock::now();
    const int64_t d = Drain(direct, fragment, ctx);
    auto t2 = std::chrono::steady_clock::now();
    if (a != rows || d != rows)
      throw Error(ErrorCode::kInternal, "read " + std::to_string(a) + " and " + std::to_string(d) +
                                            " rows, expected " + std::to_string(rows));
    if (r == 0) continue;
    agent_s.push_back(std::chrono::duration<double>(t1 - t0).count());
    direct_s.push_back(std::chrono::duration<double>(t2 - t1).count());
    std::cout << "run " << r << ": agent " << agent_s.back() << " s, direct " << direct_s.back()
              << " s\n";
  }
  // Each round reads both ways back to back, so the ratio is taken per round (the machine's
  // load changes between rounds more than within one) and its median reported.
  std::vector<double> ratios;
  for (size_t i = 0; i < agent_s.size(); ++i) ratios.push_back(agent_s[i] / direct_s[i]);
  const double a = Median(agent_s), d = Median(direct_s);
  std::cout << "batches of " << rows << " rows (6 columns): through the agent "
            << static_cast<int64_t>(rows / a) << " rows/s (median " << a << " s), direct "
            << static_cast<int64_t>(rows / d) << " rows/s (median " << d
            << " s); agent/direct time, median of rounds " << Median(ratios) << "x (goal < 1.3)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "fedgate_agent_bench: " << e.what() << "\n";
    return 1;
  }
}
