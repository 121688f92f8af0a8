// Reading throughput through the ODBC connector against the mariadb command-line client.
//
//   fedgate_odbc_bench [--rows N] [--runs R]
//
// Reads the MariaDB server of the harness whose env lines are in the environment
// (FEDGATE_MARIADB_*; ./run bench sources them). Makes the table social_care.odbc_bench_rows
// with N rows (default 5,000,000; kept for the next run when it already has N rows) from
// MariaDB's sequence engine: a bigint key, a decimal(10,2), a date, a varchar(40) and an int.
// Then, R times each (default 3), reads every row of it through fedgate's OdbcConnector (block
// fetch into bound arrays, values decoded into columnar batches) and through `mariadb --quick
// -N -e ... > /dev/null` (the client's own streaming fetch), and prints the median rows/s of
// each and their ratio.

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "common/args.h"
#include "common/error.h"
#include "connectors/odbc/odbc_connection.h"
#include "connectors/odbc/odbc_connector.h"
#include "sql/dialect.h"

namespace {

using namespace fedgate;

using bench::Env;
using bench::Median;

int Main(int argc, char** argv) {
  ArgParser args("odbc_bench", "ODBC read throughput against the mariadb client (see source).");
  args.Option("rows", "N", "Rows in the benchmark table", "5000000")
      .Option("runs", "R", "Timed runs of each reader", "3");
  if (!args.Parse(argc, argv, 1, std::cout)) return 0;
  const int64_t rows = args.GetInt("rows");
  const int runs = static_cast<int>(args.GetInt("runs"));
  const std::string host = Env("FEDGATE_MARIADB_HOST"), port = Env("FEDGATE_MARIADB_PORT"),
                    user = Env("FEDGATE_MARIADB_ADMIN_USER"),
                    password = Env("FEDGATE_MARIADB_ADMIN_PASSWORD");
  const std::string connection = "Driver={MariaDB Unicode};Server=" + host + ";Port=" + port +
                                 ";Database=social_care;Uid=" + user + ";Pwd=" + password +
                                 ";CHARSET=utf8mb4;NO_CACHE=1";
  const std::string select = "SELECT id, amount, day, label, flag FROM odbc_bench_rows";

  {
    connectors::odbc::OdbcConnection admin("social_care", connection);
    int64_t have = -1;
    try {
      have =
          std::stoll(admin.QueryText("SELECT count(*) FROM odbc_bench_rows").at(0).at(0).value());
    } catch (const Error&) {
    }
    if (have != rows) {
      std::cout << "making social_care.odbc_bench_rows with " << rows << " rows..." << std::flush;
      const auto t0 = std::chrono::steady_clock::now();
      admin.Exec("DROP TABLE IF EXISTS odbc_bench_rows");
      admin.Exec(
          "CREATE TABLE odbc_bench_rows (id BIGINT PRIMARY KEY, amount DECIMAL(10,2), day DATE, "
          "label VARCHAR(40), flag INT)");
      admin.Exec(
          "INSERT INTO odbc_bench_rows SELECT seq, (seq % 100000) / 100, "
          "DATE '2024-04-01' + INTERVAL (seq % 365) DAY, CONCAT('row ', seq), seq % 7 "
          "FROM seq_1_to_" +
          std::to_string(rows));
      std::cout << " "
                << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
                << " s\n";
    }
  }

  connectors::odbc::OdbcConnector connector("social_care", connection, sql::MariaDbDialect());
  connectors::Fragment fragment;
  fragment.source = "social_care";
  fragment.sql = select;
  fragment.columns = {{"id", DataType::Int64()},
                      {"amount", DataType::Decimal(2)},
                      {"day", DataType::Date()},
                      {"label", DataType::Text()},
                      {"flag", DataType::Int64()}};
  std::vector<double> fedgate_s, client_s;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    auto scan = connector.Open(fragment, {});
    Batch batch;
    int64_t n = 0;
    while (scan->Next(batch)) n += static_cast<int64_t>(batch.rows);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (n != rows) throw Error(ErrorCode::kInternal, "read " + std::to_string(n) + " rows");
    fedgate_s.push_back(s);

    const std::string cmd = "mariadb --no-defaults --quick -N -h " + host + " -P " + port + " -u " +
                            user + " -p'" + password + "' social_care -e '" + select +
                            "' > /dev/null";
    const auto c0 = std::chrono::steady_clock::now();
    const int rc = std::system(cmd.c_str());
    client_s.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count());
    if (rc != 0 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0)
      throw Error(ErrorCode::kSource, "the mariadb client failed");
    std::cout << "run " << r + 1 << ": fedgate ODBC " << s << " s, mariadb client "
              << client_s.back() << " s\n";
  }
  const double f = Median(fedgate_s), c = Median(client_s);
  std::cout << "ODBC read of " << rows << " rows (5 columns): fedgate "
            << static_cast<int64_t>(rows / f) << " rows/s (" << f << " s), mariadb client "
            << static_cast<int64_t>(rows / c) << " rows/s (" << c << " s); fedgate/client time "
            << f / c << "x\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "odbc_bench: " << e.what() << "\n";
    return 1;
  }
}
