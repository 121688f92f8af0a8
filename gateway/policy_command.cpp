#include <iostream>

#include "audit/audit_log.h"
#include "common/args.h"
#include "common/error.h"
#include "config/config.h"
#include "disclosure/evidence_json.h"
#include "engine/query_engine.h"
#include "gateway/commands.h"
#include "policy/dsa.h"
#include "policy/gate.h"

namespace fedgate::gateway {

namespace {

int PolicyLint(int argc, char** argv) {
  ArgParser args("policy lint",
                 "Checks DSA files. Prints each file's verdict; errors give file:line:column\n"
                 "and what is wrong. Exits 1 when any file is bad.");
  args.Positional("FILE", "DSA files (YAML)", true);
  if (!args.Parse(argc, argv, 3, std::cout)) return 0;
  int bad = 0;
  for (const std::string& file : args.Positionals("FILE")) {
    try {
      policy::Dsa d = policy::LoadDsaFile(file);
      std::cout << file << ": ok: DSA " << d.id << "; " << policy::DescribeRules(d) << "\n";
      for (const auto& w : policy::DsaWarnings(d)) std::cout << file << ": warning: " << w << "\n";
    } catch (const Error& e) {
      ++bad;
      std::cout << e.what() << "\n";
    }
  }
  return bad ? 1 : 0;
}

int PolicyExplain(int argc, char** argv) {
  ArgParser args(
      "policy explain",
      "Shows what a DSA shares (tables and columns), which disclosure rules apply, and whether a\n"
      "query would be refused and why. Runs nothing and writes no audit record, unless\n"
      "--evidence is given: then the query runs (audited like any other) and, for each cell,\n"
      "each disclosure rule checked, what it compared and its verdict are printed; the cells'\n"
      "values are not.");
  args.Option("config", "FILE", "Gateway configuration (with dsa_dir and users)", std::nullopt,
              true)
      .Option("dsa", "ID", "The DSA", std::nullopt, true)
      .Option("user", "NAME", "Who would ask", std::nullopt, true)
      .Option("purpose", "PURPOSE", "Why", std::nullopt, true)
      .Option("sql", "TEXT", "The query (optional)", "")
      .Flag("evidence",
            "Run the query and print the per-cell evidence (needs --sql and audit_log)");
  if (!args.Parse(argc, argv, 3, std::cout)) return 0;
  auto config = config::LoadConfig(args.Get("config"));
  if (config.dsa_dir.empty()) ThrowInvalid("the configuration " + config.path + " has no dsa_dir");
  engine::QueryEngine engine(config);
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
  if (!args.GetFlag("evidence")) return 0;
  if (args.Get("sql").empty()) ThrowInvalid("--evidence needs --sql");
  if (config.audit_log.empty())
    ThrowInvalid("--evidence runs the query, which must be audited: the configuration " +
                 config.path + " has no audit_log");
  audit::AuditLog audit(config.audit_log);
  policy::PolicyGate audited(engine, registry, &audit);
  auto result = audited.Query(session, args.Get("dsa"), args.Get("sql"));
  std::vector<std::string> names;
  for (const auto& c : result.columns) names.push_back(c.name);
  std::cout << "evidence (" << result.rows.rows << " rows; each rule checked per cell):\n"
            << disclosure::EvidenceText(result.disclosure, names);
  return 0;
}

}  // namespace

int PolicyCommand(int argc, char** argv) {
  CommandGroup group("policy",
                     "Data-sharing agreements: check their files, explain what they allow.");
  group.Add("lint", "Check DSA files (file:line:column for each problem)", PolicyLint)
      .Add("explain", "What a DSA shares and allows a user and purpose; why a query is refused",
           PolicyExplain);
  return group.Dispatch(argc, argv, 2, std::cout, std::cerr);
}

namespace {

int AuditVerify(int argc, char** argv) {
  ArgParser args("audit verify",
                 "Checks an audit log's hash chain and reports the first broken record.\n"
                 "Exits 1 when the chain is broken.");
  args.Positional("FILE", "The audit log");
  if (!args.Parse(argc, argv, 3, std::cout)) return 0;
  const std::string& file = args.Positionals("FILE").front();
  auto report = audit::VerifyAuditLog(file);
  if (report.ok) {
    std::cout << file << ": ok, " << report.records << " records, chain intact\n";
    return 0;
  }
  std::cout << file << ": BROKEN at record " << report.first_bad << ": " << report.problem << "\n";
  return 1;
}

}  // namespace

int AuditCommand(int argc, char** argv) {
  CommandGroup group("audit", "Audit logs (hash-chained, one JSON record per line).");
  group.Add("verify", "Check the hash chain of an audit log", AuditVerify);
  return group.Dispatch(argc, argv, 2, std::cout, std::cerr);
}

}  // namespace fedgate::gateway
