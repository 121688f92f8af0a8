// fedgate linkage report: the linkage figures of a DSA's tables (policy/linkage.h).

#include <cstdio>
#include <iostream>

#include "audit/audit_log.h"
#include "common/args.h"
#include "common/error.h"
#include "config/config.h"
#include "engine/query_engine.h"
#include "gateway/commands.h"
#include "policy/linkage.h"

namespace fedgate::gateway {

namespace {

std::string Figure(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : "[withheld]";
}

int LinkageReportCommand(int argc, char** argv) {
  ArgParser args("linkage report",
                 "For each table a DSA shares with its person key: records, records with a valid\n"
                 "NHS number (linkable) and the linked share, each released under the DSA's\n"
                 "rules (rounded or withheld as an analyst's count would be) and audited.");
  args.Option("config", "FILE", "Gateway configuration (with dsa_dir, users and audit_log)",
              std::nullopt, true)
      .Option("dsa", "ID", "The DSA", std::nullopt, true)
      .Option("user", "NAME", "Who asks (a recipient of the DSA)", std::nullopt, true)
      .Option("purpose", "PURPOSE", "Why (one of the DSA's purposes; default: the user's)", "")
      .Option("format", "FORMAT", "Output format: table or json", "table");
  if (!args.Parse(argc, argv, 3, std::cout)) return 0;
  const std::string format = args.Get("format");
  if (format != "table" && format != "json") ThrowInvalid("--format must be table or json");
  auto config = config::LoadConfig(args.Get("config"));
  if (config.dsa_dir.empty()) ThrowInvalid("the configuration " + config.path + " has no dsa_dir");
  if (config.audit_log.empty()) ThrowInvalid("the configuration has dsa_dir but no audit_log");
  auto user = config.users.find(args.Get("user"));
  std::string purpose = args.Get("purpose");
  if (purpose.empty() && user != config.users.end()) purpose = user->second.purpose;
  if (purpose.empty()) ThrowInvalid("--purpose is required (the user has no default purpose)");
  const policy::Session session{
      args.Get("user"), user == config.users.end() ? "" : user->second.role,
      user == config.users.end() ? "" : user->second.organisation, purpose};
  engine::QueryEngine engine(config);
  policy::DsaRegistry registry(config.dsa_dir);
  auto report = registry.Reload();
  for (const auto& p : report.rejected)
    std::cerr << "fedgate: DSA file rejected: " << p.message << "\n";
  audit::AuditLog audit(config.audit_log);
  policy::PolicyGate gate(engine, registry, &audit);
  gate.AuditReload(report);
  const auto rows = policy::LinkageReport(gate, session, args.Get("dsa"));
  if (format == "json") {
    std::cout << policy::LinkageJson(rows).dump(2) << "\n";
    return 0;
  }
  std::printf("%-32s %12s %12s %8s  %s\n", "table", "records", "linkable", "linked", "rules");
  for (const auto& r : rows) {
    char pct[16] = "-";
    if (r.linked_pct) std::snprintf(pct, sizeof pct, "%.1f%%", *r.linked_pct);
    std::printf("%-32s %12s %12s %8s  %s\n", (r.source + "." + r.table).c_str(),
                Figure(r.records).c_str(), Figure(r.linkable).c_str(), pct, r.rules.c_str());
  }
  return 0;
}

}  // namespace

int LinkageCommand(int argc, char** argv) {
  CommandGroup group("linkage",
                     "Linkage quality: how much of each source's data links to a person.");
  group.Add("report", "Records, linkable records and the linked share per table of a DSA",
            LinkageReportCommand);
  return group.Dispatch(argc, argv, 2, std::cout, std::cerr);
}

}  // namespace fedgate::gateway
