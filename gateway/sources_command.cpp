#include <iostream>

#include "common/args.h"
#include "common/error.h"
#include "config/config.h"
#include "gateway/commands.h"
#include "planner/catalog.h"

namespace fedgate::gateway {

// fedgate sources check: connects to every configured source and compares what it has with
// what the configuration names.
namespace {

int SourcesCheck(int argc, char** argv) {
  ArgParser args("sources check",
                 "Connects to every source of a configuration and prints its driver, DBMS name\n"
                 "and version, and each configured table: found (with its column count) or why\n"
                 "not. Exits 1 when any source or table has a problem.");
  args.Option("config", "FILE", "Gateway configuration", std::nullopt, true);
  if (!args.Parse(argc, argv, 3, std::cout)) return 0;
  const auto config = config::LoadConfig(args.Get("config"));
  planner::Catalog catalog(config);
  int problems = 0;
  for (const auto& name : catalog.SourceNames()) {
    const auto& source = config.sources.at(name);
    std::cout << name << " (" << source.kind
              << (source.dialect.empty() ? "" : ", " + source.dialect + " dialect") << ")\n";
    try {
      const auto info = catalog.ConnectorFor(name).About();
      std::cout << "  driver: " << info.driver << "\n  dbms:   " << info.dbms << " " << info.version
                << "\n";
    } catch (const Error& e) {
      std::cout << "  FAILED: " << e.what() << "\n";
      ++problems;
      continue;  // its tables cannot be checked either
    }
    for (const auto& table : catalog.TableNames(name)) {
      try {
        const auto& t = catalog.Table(name, table);
        std::cout << "  table " << table << ": ok, " << t.columns.size() << " columns"
                  << (t.person_column >= 0
                          ? ", person_id from " +
                                (t.through_table.empty() ? std::string() : t.through_table + ".") +
                                t.columns[t.person_column].source_column +
                                (t.through_table.empty() ? std::string()
                                                         : " (joined on " + t.through_key + ")")
                          : std::string(", no person key"))
                  << "\n";
      } catch (const Error& e) {
        std::cout << "  table " << table << ": FAILED: " << e.what() << "\n";
        ++problems;
      }
    }
  }
  std::cout << (problems ? std::to_string(problems) + " problem(s)" : std::string("all sources ok"))
            << "\n";
  return problems ? 1 : 0;
}

}  // namespace

int SourcesCommand(int argc, char** argv) {
  CommandGroup group("sources", "The configured sources.");
  group.Add("check", "Connect to every source: driver, DBMS and version, each table", SourcesCheck);
  return group.Dispatch(argc, argv, 2, std::cout, std::cerr);
}

}  // namespace fedgate::gateway
