#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "common/args.h"
#include "common/error.h"
#include "config/config.h"
#include "disclosure/evidence_json.h"
#include "engine/query_engine.h"
#include "gateway/api.h"
#include "gateway/commands.h"
#include "planner/value.h"
#include "policy/gate.h"

namespace fedgate::gateway {

namespace {

std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) {
  g_interrupted = true;
}

std::string ReadSql(const ArgParser& args) {
  if (args.Has("sql") && args.Has("file")) ThrowInvalid("give either --sql or --file, not both");
  if (args.Has("sql")) return args.Get("sql");
  if (args.Has("file")) {
    std::ifstream in(args.Get("file"));
    if (!in) throw Error(ErrorCode::kNotFound, "cannot read SQL file " + args.Get("file"));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  ThrowInvalid("no query: give --sql TEXT or --file FILE");
}

// An error about the SQL text, told with its line and column and the line itself with a caret
// under the spot, as psql does.
[[noreturn]] void RethrowWithSqlContext(const Error& e, const std::string& sql) {
  const TextLocation& at = e.location();
  if (at.line <= 0) throw e;
  std::istringstream lines(sql);
  std::string line;
  for (int i = 0; i < at.line && std::getline(lines, line); ++i) {
  }
  std::string caret;
  int column = 1;
  for (size_t i = 0; i < line.size() && column < at.column; ++i) {
    // Columns count characters: skip UTF-8 continuation bytes.
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    caret += line[i] == '\t' ? '\t' : ' ';
    ++column;
  }
  throw Error(e.code(),
              "line " + std::to_string(at.line) + ", column " + std::to_string(at.column) + ": " +
                  e.what() + "\n  " + line + "\n  " + caret + "^",
              at);
}

void AddCommonOptions(ArgParser& args) {
  args.Option("config", "FILE", "Gateway configuration (YAML): sources, tables, min_persons",
              std::nullopt, true)
      .Option("sql", "TEXT", "The query")
      .Option("file", "FILE", "Read the query from a file")
      .Option(
          "optimizer", "LIST",
          "Switch optimizer passes, e.g. 'filter_pushdown=off,all=on' (passes: all, " +
              [] {
                std::string s;
                for (const auto& n : planner::OptimizerOptions::Names())
                  s += (s.empty() ? "" : ", ") + n;
                return s;
              }() +
              ")",
          "")
      .Option(
          "dsa", "ID",
          "The data-sharing agreement to query under (required when the configuration has dsa_dir)")
      .Option("user", "NAME", "Who asks (one of the configuration's users)")
      .Option("purpose", "PURPOSE", "Why (one of the DSA's purposes)");
}

// The DSA machinery for a command, when the configuration has a DSA directory.
struct Governance {
  std::unique_ptr<policy::DsaRegistry> registry;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<policy::PolicyGate> gate;
  policy::Session session;
  std::string dsa;
};

std::optional<Governance> Govern(const ArgParser& args, const config::GatewayConfig& config,
                                 engine::QueryEngine& engine, bool need_audit) {
  if (config.dsa_dir.empty()) {
    if (args.Has("dsa") || args.Has("user") || args.Has("purpose")) {
      ThrowInvalid("--dsa, --user and --purpose need dsa_dir in the configuration " + config.path);
    }
    return std::nullopt;
  }
  for (const char* o : {"dsa", "user", "purpose"}) {
    if (!args.Has(o))
      ThrowInvalid(std::string("--") + o + " is required: the configuration has DSAs (dsa_dir)");
  }
  Governance g;
  g.dsa = args.Get("dsa");
  // An unknown user gets no role: the gate refuses (and audits) it.
  auto user = config.users.find(args.Get("user"));
  g.session = {args.Get("user"), user == config.users.end() ? "" : user->second.role,
               user == config.users.end() ? "" : user->second.organisation, args.Get("purpose")};
  g.registry = std::make_unique<policy::DsaRegistry>(config.dsa_dir);
  if (need_audit) {
    if (config.audit_log.empty()) ThrowInvalid("the configuration has dsa_dir but no audit_log");
    g.audit = std::make_unique<audit::AuditLog>(config.audit_log);
  }
  g.gate = std::make_unique<policy::PolicyGate>(engine, *g.registry, g.audit.get());
  auto report = g.registry->Reload();
  for (const auto& p : report.rejected)
    std::cerr << "fedgate: DSA file rejected: " << p.message << "\n";
  g.gate->AuditReload(report);
  return g;
}

std::string Cell(const Column& column, size_t row) {
  if (column.IsNull(row)) return "";
  return planner::GetValue(column, row).ToString();
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Terminal columns of a UTF-8 text: one per character (continuation bytes take none).
size_t Columns(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void PrintTable(const engine::QueryResult& r, std::ostream& out) {
  const size_t nc = r.columns.size();
  std::vector<std::vector<std::string>> cells(r.rows.rows, std::vector<std::string>(nc));
  std::vector<size_t> width(nc);
  for (size_t c = 0; c < nc; ++c) width[c] = Columns(r.columns[c].name);
  for (size_t row = 0; row < r.rows.rows; ++row) {
    for (size_t c = 0; c < nc; ++c) {
      const auto rule = r.disclosure.cell_rules.empty()
                            ? disclosure::Rule::kNone
                            : static_cast<disclosure::Rule>(r.disclosure.cell_rules[row * nc + c]);
      const bool withheld = disclosure::Withholds(rule);
      std::string v = withheld ? "[" + std::string(disclosure::RuleName(rule)) + "]"
                      : r.rows.columns[c].IsNull(row) ? "NULL"
                                                      : Cell(r.rows.columns[c], row);
      width[c] = std::max(width[c], Columns(v));
      cells[row][c] = std::move(v);
    }
  }
  auto numeric = [&](size_t c) { return r.columns[c].type.IsNumeric(); };
  auto line = [&](const std::vector<std::string>& v, bool header) {
    for (size_t c = 0; c < nc; ++c) {
      out << (c ? " | " : " ");
      size_t pad = width[c] - Columns(v[c]);
      if (!header && numeric(c))
        out << std::string(pad, ' ') << v[c];
      else
        out << v[c] << std::string(pad, ' ');
    }
    out << "\n";
  };
  std::vector<std::string> names;
  for (const auto& c : r.columns) names.push_back(c.name);
  line(names, true);
  for (size_t c = 0; c < nc; ++c) out << (c ? "-+-" : "-") << std::string(width[c], '-');
  out << "-\n";
  for (const auto& row : cells) line(row, false);
  out << "(" << r.rows.rows << (r.rows.rows == 1 ? " row" : " rows");
  if (r.disclosure.suppressed_rows > 0) {
    out << "; " << r.disclosure.suppressed_rows << " suppressed: fewer than "
        << r.disclosure.min_persons << " persons";
  }
  out << ")\n";
  if (!r.disclosure.rule_counts.empty()) {
    out << "disclosure control changed:";
    for (const auto& [rule, n] : r.disclosure.rule_counts) out << " " << n << " " << rule;
    out << " (cells; see --format json for which)\n";
  }
  if (r.disclosure.rules &&
      r.disclosure.rules->rounding.kind == disclosure::Rounding::Kind::kBase) {
    out << "counts are rounded to the nearest " << r.disclosure.rules->rounding.base << "\n";
  } else if (r.disclosure.rules &&
             r.disclosure.rules->rounding.kind == disclosure::Rounding::Kind::kMidpoint6) {
    out << "counts are shown as midpoint-6 (1-6 as 3, 7-12 as 9, ...)\n";
  }
}

void PrintCsv(const engine::QueryResult& r, std::ostream& out) {
  for (size_t c = 0; c < r.columns.size(); ++c)
    out << (c ? "," : "") << CsvField(r.columns[c].name);
  out << ",suppressed\n";
  for (size_t row = 0; row < r.rows.rows; ++row) {
    for (size_t c = 0; c < r.columns.size(); ++c)
      out << (c ? "," : "") << CsvField(Cell(r.rows.columns[c], row));
    out << "," << (r.disclosure.suppressed[row] ? "true" : "false") << "\n";
  }
}

void PrintJson(const engine::QueryResult& r, std::ostream& out) {
  nlohmann::json j;
  j["columns"] = nlohmann::json::array();
  for (const auto& c : r.columns)
    j["columns"].push_back({{"name", c.name}, {"type", c.type.ToString()}});
  j["rows"] = nlohmann::json::array();
  j["suppressed_rows"] = nlohmann::json::array();
  for (size_t row = 0; row < r.rows.rows; ++row) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& c : r.rows.columns) values.push_back(CellToJson(c, row));
    j["rows"].push_back(std::move(values));
    if (r.disclosure.suppressed[row]) j["suppressed_rows"].push_back(row);
  }
  j["disclosure"] = disclosure::DisclosureJson(r.disclosure, true);
  j["stats"] = {{"seconds", r.seconds}, {"peak_memory_bytes", r.peak_memory_bytes}};
  out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

int QueryCommand(int argc, char** argv) {
  ArgParser args(
      "query",
      "Runs one SQL query over the configured sources and prints the result. Output groups\n"
      "with fewer than min_persons distinct persons are withheld and marked; a query whose\n"
      "output is row-level (not aggregated) is refused.");
  AddCommonOptions(args);
  args.Option("format", "FORMAT", "Output format: table, csv or json", "table")
      .Flag("stats",
            "Print the time, peak memory and each source fragment's rows and time to stderr")
      .Epilog(
          "Example:\n"
          "  fedgate query --config fedgate.yaml --sql \\\n"
          "    \"SELECT practice_code, count(*) FROM gp.patients GROUP BY practice_code\"");
  if (!args.Parse(argc, argv, 2, std::cout)) return 0;
  const std::string format = args.Get("format");
  if (format != "table" && format != "csv" && format != "json") {
    ThrowInvalid("--format must be table, csv or json, not '" + format + "'");
  }
  engine::QueryOptions options;
  options.optimizer.Parse(args.Get("optimizer"));
  std::string sql = ReadSql(args);
  auto config = config::LoadConfig(args.Get("config"));
  engine::QueryEngine engine(config);
  auto governance = Govern(args, config, engine, true);
  options.cancel = &g_interrupted;
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  engine::QueryResult result;
  try {
    result = governance
                 ? governance->gate->Query(governance->session, governance->dsa, sql, options)
                 : engine.Run(sql, options);
  } catch (const Error& e) {
    RethrowWithSqlContext(e, sql);
  }
  if (format == "table") PrintTable(result, std::cout);
  if (format == "csv") PrintCsv(result, std::cout);
  if (format == "json") PrintJson(result, std::cout);
  if (args.GetFlag("stats")) {
    std::cout << std::flush;  // the result before the statistics on a shared terminal
    std::cerr << "time " << result.seconds << " s, peak memory " << result.peak_memory_bytes / 1024
              << " KiB\n";
    for (const auto& f : result.fragments) {
      std::cerr << "  " << f.source << ": " << f.rows << " rows in " << f.seconds << " s\n";
    }
  }
  return 0;
}

int ExplainCommand(int argc, char** argv) {
  ArgParser args("explain",
                 "Shows how a query would run: the optimized plan (gateway operators, and the\n"
                 "subtrees pushed to each source) and the exact SQL sent to each source.");
  AddCommonOptions(args);
  if (!args.Parse(argc, argv, 2, std::cout)) return 0;
  engine::QueryOptions options;
  options.optimizer.Parse(args.Get("optimizer"));
  std::string sql = ReadSql(args);
  auto config = config::LoadConfig(args.Get("config"));
  engine::QueryEngine engine(config);
  auto governance = Govern(args, config, engine, false);
  try {
    std::cout << (governance ? governance->gate->Explain(governance->session, governance->dsa, sql,
                                                         options)
                             : engine.Explain(sql, options))
                     .ToString();
  } catch (const Error& e) {
    RethrowWithSqlContext(e, sql);
  }
  return 0;
}

}  // namespace fedgate::gateway
