// fedgate: the one binary, with subcommands.
#include <cstring>
#include <iostream>
#include <string_view>

#include "common/error.h"
#include "gateway/commands.h"

namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(int argc, char** argv);
};

constexpr Command kCommands[] = {
    {"datagen", "Generate the synthetic Somerset providers and load them into their databases",
     &fedgate::gateway::DatagenCommand},
    {"query", "Run one SQL query over the configured sources and print the (protected) result",
     &fedgate::gateway::QueryCommand},
    {"explain", "Show the optimized plan of a query and the SQL sent to each source",
     &fedgate::gateway::ExplainCommand},
    {"policy", "Check DSA files (lint) and explain what a DSA allows for a user, purpose and query",
     &fedgate::gateway::PolicyCommand},
    {"audit", "Verify the hash chain of an audit log", &fedgate::gateway::AuditCommand},
    {"serve", "Serve the JSON API over HTTP (queries under DSAs, audited)",
     &fedgate::gateway::ServeCommand},
    {"passwd", "Hash a password for the configuration's users", &fedgate::gateway::PasswdCommand},
    {"sources", "Check every configured source: driver, DBMS version, tables (sources check)",
     &fedgate::gateway::SourcesCommand},
    {"agent", "Run the source agent for one provider (Thrift, mutual TLS, pseudonymises at source)",
     &fedgate::gateway::AgentCommand},
};

void PrintUsage(std::ostream& out) {
  out << "Usage: fedgate <command> [options]\n\n"
         "fedgate is a federated SQL gateway for linked health and social care data.\n\n"
         "Commands:\n";
  for (const Command& c : kCommands) {
    out << "  " << c.name << std::string(12 - c.name.size(), ' ') << c.summary << "\n";
  }
  out << "  version     Print the version\n\n"
         "Run 'fedgate <command> --help' for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    PrintUsage(std::cout);
    return argc < 2 ? 2 : 0;
  }
  std::string_view name = argv[1];
  if (name == "version" || name == "--version") {
    std::cout << "fedgate " << FEDGATE_VERSION << "\n";
    return 0;
  }
  for (const Command& c : kCommands) {
    if (c.name != name) continue;
    try {
      return c.run(argc, argv);
    } catch (const fedgate::Error& e) {
      std::cerr << "fedgate " << name << ": error: " << e.what() << "\n";
      return e.code() == fedgate::ErrorCode::kInvalidArgument ? 2 : 1;
    } catch (const std::exception& e) {
      std::cerr << "fedgate " << name << ": internal error: " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "fedgate: unknown command '" << name << "'\n\n";
  PrintUsage(std::cerr);
  return 2;
}
