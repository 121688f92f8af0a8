#include <iostream>

#include "common/args.h"
#include "common/error.h"
#include "gateway/commands.h"
#include "planner/config.h"
#include "planner/query_engine.h"
#include "policy/audit.h"
#include "policy/dsa.h"
#include "policy/gate.h"

namespace fedgate::gateway {

namespace {

int PolicyLint(int argc, char** argv) {
  int bad = 0, files = 0;
  if (argc > 3 && (std::string(argv[3]) == "--help" || std::string(argv[3]) == "-h")) {
    std::cout << "Usage: fedgate policy lint FILE...\n\nChecks DSA files. Prints each file's "
                 "verdict; errors "
                 "give file:line:column\nand what is wrong. Exits non-zero when any file is bad.\n";
    return 0;
  }
  for (int i = 3; i < argc; ++i) {
    std::string file = argv[i];
    ++files;
    try {
      policy::Dsa d = policy::LoadDsaFile(file);
      std::cout << file << ": ok: DSA " << d.id << "; " << policy::DescribeRules(d) << "\n";
    } catch (const Error& e) {
      ++bad;
      std::cout << e.what() << "\n";
    }
  }
  if (files == 0) ThrowInvalid("no DSA files given: fedgate policy lint FILE...");
  return bad ? 1 : 0;
}

int PolicyExplain(int argc, char** argv) {
  ArgParser args(
      "policy explain",
      "Shows what a DSA shares (tables and columns), which disclosure rules apply, and whether a\n"
      "query would be refused and why. Runs nothing and writes no audit record.");
  args.Option("config", "FILE", "Gateway configuration (with dsa_dir and users)", std::nullopt,
              true)
      .Option("dsa", "ID", "The DSA", std::nullopt, true)
      .Option("user", "NAME", "Who would ask", std::nullopt, true)
      .Option("purpose", "PURPOSE", "Why", std::nullopt, true)
      .Option("sql", "TEXT", "The query (optional)", "");
  if (!args.Parse(argc, argv, 3, std::cout)) return 0;
  auto config = planner::LoadConfig(args.Get("config"));
  if (config.dsa_dir.empty()) ThrowInvalid("the configuration " + config.path + " has no dsa_dir");
  planner::QueryEngine engine(config);
  policy::DsaRegistry registry(config.dsa_dir);  // LoadConfig made it relative to the file
  auto report = registry.Reload();
  for (const auto& p : report.rejected)
    std::cerr << "fedgate: DSA file rejected: " << p.message << "\n";
  policy::PolicyGate gate(engine, registry, nullptr);
  auto user = config.users.find(args.Get("user"));
  policy::Session session{args.Get("user"), user == config.users.end() ? "" : user->second.role,
                          user == config.users.end() ? "" : user->second.organisation,
                          args.Get("purpose")};
  std::string access = "user may query under it";
  try {
    auto dsa = registry.Get(args.Get("dsa"));
    policy::CheckAccess(*dsa, session, policy::TodayUtc());
  } catch (const Error& e) {
    access = std::string("user may not query under it: ") + e.what();
  }
  std::cout << gate.ExplainPolicy(session, args.Get("dsa"), args.Get("sql")) << "access: " << access
            << "\n";
  return 0;
}

}  // namespace

int PolicyCommand(int argc, char** argv) {
  std::string sub = argc > 2 ? argv[2] : "";
  if (sub == "lint") return PolicyLint(argc, argv);
  if (sub == "explain") return PolicyExplain(argc, argv);
  std::cout << "Usage:\n  fedgate policy lint FILE...        check DSA files\n"
               "  fedgate policy explain --config F --dsa D --user U --purpose P [--sql SQL]\n";
  return sub.empty() || sub == "--help" || sub == "-h" ? (sub.empty() ? 2 : 0) : 2;
}

int AuditCommand(int argc, char** argv) {
  std::string sub = argc > 2 ? argv[2] : "";
  if (sub != "verify") {
    std::cout << "Usage:\n  fedgate audit verify FILE    check the hash chain of an audit log\n";
    return sub == "--help" || sub == "-h" ? 0 : 2;
  }
  ArgParser args("audit verify",
                 "Checks an audit log's hash chain and reports the first broken record.\n\n"
                 "Usage: fedgate audit verify FILE");
  if (!args.Parse(argc, argv, 4, std::cout)) return 0;
  if (argc < 4) ThrowInvalid("no audit log given: fedgate audit verify FILE");
  auto report = policy::VerifyAuditLog(argv[3]);
  if (report.ok) {
    std::cout << argv[3] << ": ok, " << report.records << " records, chain intact\n";
    return 0;
  }
  std::cout << argv[3] << ": BROKEN at record " << report.first_bad << ": " << report.problem
            << "\n";
  return 1;
}

}  // namespace fedgate::gateway
