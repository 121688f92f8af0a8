#include <cstdlib>
#include <iostream>

#include "common/args.h"
#include "common/error.h"
#include "datagen/datagen.h"
#include "gateway/commands.h"

namespace fedgate::gateway {

namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Defaults for the targets come from the test harness's environment lines.
std::string DefaultPostgres() {
  if (Env("FEDGATE_PG_PORT").empty()) return "";
  std::string host = Env("FEDGATE_PG_HOST").empty() ? "127.0.0.1" : Env("FEDGATE_PG_HOST");
  std::string user =
      Env("FEDGATE_PG_ADMIN_USER").empty() ? "postgres" : Env("FEDGATE_PG_ADMIN_USER");
  std::string conninfo = "host=" + host + " port=" + Env("FEDGATE_PG_PORT") + " user=" + user;
  if (!Env("FEDGATE_PG_ADMIN_PASSWORD").empty()) {
    conninfo += " password=" + Env("FEDGATE_PG_ADMIN_PASSWORD");
  }
  return conninfo;
}

std::string DefaultMariaDb() {
  if (Env("FEDGATE_MARIADB_PORT").empty()) return "";
  std::string host =
      Env("FEDGATE_MARIADB_HOST").empty() ? "127.0.0.1" : Env("FEDGATE_MARIADB_HOST");
  return "Driver={MariaDB Unicode};Server=" + host + ";Port=" + Env("FEDGATE_MARIADB_PORT") +
         ";Uid=" + Env("FEDGATE_MARIADB_ADMIN_USER") +
         ";Pwd=" + Env("FEDGATE_MARIADB_ADMIN_PASSWORD") + ";";
}

}  // namespace

int DatagenCommand(int argc, char** argv) {
  ArgParser args("datagen",
                 "Generates the synthetic \"Somerset\" population (deterministic for a seed) and "
                 "loads the five\nproviders: gp, acute and mental_health into PostgreSQL (binary "
                 "COPY), social_care into\nMariaDB (through ODBC), community into a SQLite file. "
                 "A provider that already holds the\nsame seed, size and model is reused unless "
                 "--force is given. Ends with a per-provider\nsummary: tables, rows, persons and "
                 "linkable share.");
  args.Option("persons", "N", "Number of persons", "120000")
      .Option("seed", "S", "Random seed", "42")
      .Option("providers", "LIST", "Comma-separated providers to load",
              "gp,acute,community,mental_health,social_care")
      .Option("postgres", "CONNINFO", "libpq conninfo of the PostgreSQL server (admin user)",
              DefaultPostgres())
      .Option("mariadb", "ODBC",
              "ODBC connection string of the MariaDB server, no Database=", DefaultMariaDb())
      .Option("sqlite-dir", "DIR", "Directory for the SQLite provider files",
              Env("FEDGATE_SQLITE_DIR"))
      .Option("db-suffix", "TEXT", "Suffix for database names (gp<suffix>, ...)", "")
      .Option("jobs", "N", "Tables loaded at the same time", "2")
      .Flag("force", "Reload even if the same data is already there")
      .Flag("quiet", "No progress lines")
      .Epilog(
          "Defaults for --postgres, --mariadb and --sqlite-dir come from the test harness's\n"
          "environment (FEDGATE_PG_PORT, FEDGATE_MARIADB_PORT, FEDGATE_SQLITE_DIR, ...):\n"
          "  eval \"$(tests/harness/sources env --dir DIR)\" && fedgate datagen\n\n"
          "Example:\n"
          "  fedgate datagen --persons 1000000 --postgres 'host=127.0.0.1 port=5432 "
          "user=postgres' \\\n"
          "      --mariadb 'Driver={MariaDB Unicode};Server=127.0.0.1;Port=3306;Uid=root;Pwd=;' "
          "\\\n      --sqlite-dir /var/lib/fedgate/community");
  if (!args.Parse(argc, argv, 2, std::cout)) return 0;

  datagen::DatagenOptions options;
  int64_t persons = args.GetInt("persons");
  if (persons < 1 || persons > 50000000) ThrowInvalid("--persons must be between 1 and 50000000");
  options.persons = static_cast<uint32_t>(persons);
  options.seed = static_cast<uint64_t>(args.GetInt("seed"));
  options.providers = datagen::ParseProviders(args.Get("providers"));
  options.jobs = static_cast<int>(args.GetInt("jobs"));
  if (options.jobs < 1 || options.jobs > 16) ThrowInvalid("--jobs must be between 1 and 16");
  options.force = args.GetFlag("force");
  options.progress = !args.GetFlag("quiet");

  datagen::Targets targets{args.Get("postgres"), args.Get("mariadb"), args.Get("sqlite-dir"),
                           args.Get("db-suffix")};
  for (auto p : options.providers) {
    bool pg = p == datagen::Provider::kGp || p == datagen::Provider::kAcute ||
              p == datagen::Provider::kMentalHealth;
    if (pg && targets.postgres.empty()) {
      ThrowInvalid(std::string(datagen::ProviderName(p)) +
                   " goes to PostgreSQL, but no server was given (--postgres, or "
                   "FEDGATE_PG_PORT from the harness)");
    }
  }
  auto report = datagen::RunDatagen(options, targets, std::cerr);
  datagen::PrintReport(report, std::cout);
  return 0;
}

}  // namespace fedgate::gateway
