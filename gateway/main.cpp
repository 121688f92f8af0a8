// fedgate: the one binary, with subcommands.
#include <cstring>
#include <iostream>

#include "common/args.h"
#include "common/error.h"
#include "connectors/agent/server/agent_main.h"
#include "gateway/commands.h"

namespace fedgate::gateway {

int VersionCommand(int argc, char** argv) {
  ArgParser args("version", "Prints fedgate's version.");
  if (!args.Parse(argc, argv, 2, std::cout)) return 0;
  std::cout << "fedgate " << FEDGATE_VERSION << "\n";
  return 0;
}

// The same agent as the fedgate-agent binary, for a single install.
int AgentCommand(int argc, char** argv) {
  return agent::AgentMain(argc, argv, 2);
}

}  // namespace fedgate::gateway

namespace {

struct Command {
  const char* name;
  const char* summary;
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
    {"linkage", "Linkage quality of a DSA's tables: records, linkable records, linked share",
     &fedgate::gateway::LinkageCommand},
    {"serve", "Serve the JSON API over HTTP (queries under DSAs, audited)",
     &fedgate::gateway::ServeCommand},
    {"passwd", "Hash a password for the configuration's users", &fedgate::gateway::PasswdCommand},
    {"sources", "Check every configured source: driver, DBMS version, tables (sources check)",
     &fedgate::gateway::SourcesCommand},
    {"agent", "Run the source agent for one provider (Thrift, mutual TLS, pseudonymises at source)",
     &fedgate::gateway::AgentCommand},
    {"version", "Print the version", &fedgate::gateway::VersionCommand},
};

// Runs one subcommand; its errors are printed here (exit 2 for a usage mistake, else 1).
int RunCommand(const Command& c, int argc, char** argv) {
  try {
    return c.run(argc, argv);
  } catch (const fedgate::Error& e) {
    std::cerr << "fedgate " << c.name << ": error: " << e.what() << "\n";
    return e.code() == fedgate::ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "fedgate " << c.name << ": internal error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--version") == 0) {
    std::cout << "fedgate " << FEDGATE_VERSION << "\n";
    return 0;
  }
  fedgate::CommandGroup commands(
      "", "fedgate is a federated SQL gateway for linked health and social care data.");
  for (const Command& c : kCommands) {
    commands.Add(c.name, c.summary, [&c](int n, char** v) { return RunCommand(c, n, v); });
  }
  try {
    return commands.Dispatch(argc, argv, 1, std::cout, std::cerr);
  } catch (const fedgate::Error& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
}
