// fedgate_compare_bench: fedgate against the alternatives users choose between, on the same
// data and the same machine: a central warehouse (every provider's tables in one PostgreSQL
// database, pseudonymised) and a postgres_fdw hub (foreign tables onto pseudonymising views at
// each provider), both built by tools/warehouse.h and reused while the providers hold the same
// data. Each query runs through fedgate (in-process engine, min_persons 1 so that nothing is
// withheld), on the hub and on the central database; the three answers must agree. After the
// warm-up runs, each timed run takes the three in turn; the report has per query the medians,
// the ratios fedgate/central, fedgate/fdw and fedgate/floor — the floor being the time of
// fedgate's slowest fragment run alone on its source, what a perfect gateway would add nothing
// to — fedgate's peak memory and the rows each source sent.
//
//   fedgate_compare_bench --config FILE --queries DIR [--repeat N] [--warmup N]
//                         [--json FILE] [--chart FILE.png]
//
// Exit status 1 when the systems disagree on any query (after writing the results).

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_util.h"
#include "common/args.h"
#include "common/error.h"
#include "common/pseudonymiser.h"
#include "common/types.h"
#include "config/config.h"
#include "connectors/postgres/pg_connection.h"
#include "engine/query_engine.h"
#include "tools/result_rows.h"
#include "tools/warehouse.h"

namespace {

using fedgate::bench::Median;
using fedgate::connectors::pg::PgConnection;
using fedgate::tools::Row;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw fedgate::Error(fedgate::ErrorCode::kNotFound, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The process's peak resident set since the last reset (VmHWM), in bytes.
int64_t PeakRss() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return 0;
}

// Starts a new peak: the heap's free memory goes back to the system first (else the RSS of
// earlier queries' freed memory would count), then writing 5 to clear_refs resets VmHWM to
// the current RSS (Linux >= 4.0).
void ResetPeakRss() {
  malloc_trim(0);
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

// A query on PostgreSQL (central or hub): its rows as text, and the time to the last row.
std::vector<Row> RunPg(PgConnection& conn, const std::string& sql, double* seconds) {
  auto start = Clock::now();
  auto result = conn.Query(sql);
  *seconds = Since(start);
  std::vector<Row> rows;
  for (int r = 0; r < result.rows(); ++r) {
    Row row;
    for (int c = 0; c < result.columns(); ++c) {
      if (result.IsNull(r, c)) {
        row.push_back(std::nullopt);
      } else {
        row.push_back(std::string(result.Get(r, c)));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The benchmarks issue's goals (measured and reported, never asserted).
constexpr double kGoalFloor = 1.25;                // fedgate / its slowest fragment alone
constexpr double kGoalFdw = 0.33;                  // fedgate / the fdw hub, cross-source queries
constexpr double kGoalCentral = 1.5;               // fedgate / the central warehouse
constexpr int64_t kGoalMemory = int64_t{2} << 30;  // peak bytes

struct QueryReport {
  std::string name;
  size_t result_rows = 0;
  std::vector<std::string> disagreements;
  std::vector<double> fedgate, central, hub, floor;
  // All of the query's fragments run alone one after another: what the sources do for it in
  // total (on a machine whose sources share its cores, a bound the floor does not see).
  std::vector<double> fragments_sum;
  std::string floor_source;
  size_t fragments = 0;
  bool floor_plan_matches = true;
  std::map<std::string, int64_t> rows_from_sources;
  int64_t peak_rss = 0;     // the process's peak resident set during fedgate's runs
  int64_t peak_engine = 0;  // the engine's own accounting of the query's memory
  bool cross_source() const { return rows_from_sources.size() > 1; }
  // fedgate's median time over each alternative's.
  struct Ratios {
    double central, fdw, floor;
  };
  Ratios ratios() const {
    const double f = Median(fedgate);
    return {f / Median(central), f / Median(hub), f / Median(floor)};
  }
};

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.3f" : "%.2f", s);
  return buf;
}

std::string Ratio(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fx", r);
  return buf;
}

std::string Count(int64_t n) {
  char buf[32];
  if (n >= 1000000) {
    std::snprintf(buf, sizeof buf, "%.2fM", n / 1e6);
  } else if (n >= 1000) {
    std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
  }
  return buf;
}

std::string Mb(int64_t bytes) {
  return std::to_string(bytes / (1024 * 1024)) + " MB";
}

std::string Pad(std::string s, size_t width, bool right = false) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

// The readable table (also written next to the JSON).
std::string Table(const std::vector<QueryReport>& reports, int64_t persons, int repeat) {
  std::ostringstream out;
  out << "fedgate vs a central warehouse and a postgres_fdw hub: " << persons
      << " persons, median of " << repeat << " run" << (repeat == 1 ? "" : "s") << " (seconds)\n";
  size_t name_width = 5;
  for (const auto& r : reports) name_width = std::max(name_width, r.name.size());
  out << Pad("query", name_width) << Pad("fedgate", 9, true) << Pad("central", 9, true)
      << Pad("fdw hub", 9, true) << Pad("floor", 9, true) << Pad("f/central", 11, true)
      << Pad("f/fdw", 9, true) << Pad("f/floor", 9, true) << Pad("peak RSS", 10, true)
      << Pad("engine", 9, true) << "  agree\n";
  for (const auto& r : reports) {
    const auto ratio = r.ratios();
    out << Pad(r.name, name_width) << Pad(Seconds(Median(r.fedgate)), 9, true)
        << Pad(Seconds(Median(r.central)), 9, true) << Pad(Seconds(Median(r.hub)), 9, true)
        << Pad(Seconds(Median(r.floor)), 9, true) << Pad(Ratio(ratio.central), 11, true)
        << Pad(Ratio(ratio.fdw), 9, true) << Pad(Ratio(ratio.floor), 9, true)
        << Pad(Mb(r.peak_rss), 10, true) << Pad(Mb(r.peak_engine), 9, true) << "  "
        << (r.disagreements.empty() ? "yes" : "NO") << "\n";
  }
  out << "\nrows sent by each source to fedgate (slowest fragment alone = floor)\n";
  for (const auto& r : reports) {
    out << Pad(r.name, name_width) << " ";
    int64_t total = 0;
    for (const auto& [source, rows] : r.rows_from_sources) {
      out << " " << source << " " << Count(rows);
      total += rows;
    }
    out << "  (total " << Count(total) << "; floor " << r.floor_source << ", all " << r.fragments
        << " fragments alone " << Seconds(Median(r.fragments_sum)) << " s"
        << (r.floor_plan_matches ? "" : "; explained plan differs from the run's") << ")\n";
  }
  out << "\npeak RSS: the bench process's resident set during one more fedgate run (its heap "
         "trimmed first); engine: the query's memory as the engine accounts it (hash tables, "
         "batches)\n";
  out << "goals: fedgate/floor <= " << kGoalFloor << ", fedgate/fdw <= " << kGoalFdw
      << " (cross-source queries), fedgate/central <= " << kGoalCentral << ", peak memory < "
      << kGoalMemory / (1 << 30) << " GiB\n";
  return out.str();
}

nlohmann::json Json(const std::vector<QueryReport>& reports, int64_t persons, int64_t seed,
                    int repeat, int warmup) {
  nlohmann::json queries = nlohmann::json::array();
  for (const auto& r : reports) {
    const auto ratio = r.ratios();
    queries.push_back({
        {"query", r.name},
        {"result_rows", r.result_rows},
        {"agree", r.disagreements.empty()},
        {"disagreements", r.disagreements},
        {"cross_source", r.cross_source()},
        {"seconds",
         {{"fedgate", {{"median", Median(r.fedgate)}, {"runs", r.fedgate}}},
          {"central", {{"median", Median(r.central)}, {"runs", r.central}}},
          {"fdw", {{"median", Median(r.hub)}, {"runs", r.hub}}},
          {"floor", {{"median", Median(r.floor)}, {"runs", r.floor}, {"source", r.floor_source}}},
          {"fragments_alone_sum",
           {{"median", Median(r.fragments_sum)},
            {"runs", r.fragments_sum},
            {"fragments", r.fragments}}}}},
        {"ratios",
         {{"fedgate_central", ratio.central},
          {"fedgate_fdw", ratio.fdw},
          {"fedgate_floor", ratio.floor}}},
        {"goals_met",
         {{"fedgate_floor", ratio.floor <= kGoalFloor},
          {"fedgate_fdw", !r.cross_source() || ratio.fdw <= kGoalFdw},
          {"fedgate_central", ratio.central <= kGoalCentral},
          {"memory", r.peak_rss < kGoalMemory}}},
        {"peak_rss_bytes", r.peak_rss},
        {"engine_peak_bytes", r.peak_engine},
        {"rows_from_sources", r.rows_from_sources},
    });
  }
  return {{"persons", persons},
          {"seed", seed},
          {"timed_runs", repeat},
          {"warmup_runs", warmup},
          {"cores", std::thread::hardware_concurrency()},
          {"goals",
           {{"fedgate_floor", kGoalFloor},
            {"fedgate_fdw", kGoalFdw},
            {"fedgate_central", kGoalCentral},
            {"peak_memory_bytes", kGoalMemory}}},
          {"queries", queries}};
}

// A PNG bar chart of the three ratios per query (gnuplot, log scale, goal lines).
void Chart(const std::vector<QueryReport>& reports, int64_t persons, const std::string& path) {
  std::string data = std::filesystem::path(path).replace_extension(".dat").string();
  {
    std::ofstream out(data);
    out << "query fedgate/central fedgate/fdw fedgate/floor\n";
    for (const auto& r : reports) {
      const auto ratio = r.ratios();
      out << '"' << r.name << "\" " << ratio.central << " " << ratio.fdw << " " << ratio.floor
          << "\n";
    }
  }
  std::string script =
      "set terminal pngcairo size 1400,700 font 'DejaVu Sans,10'\n"
      "set output '" +
      path +
      "'\n"
      "set title 'fedgate time as a share of each alternative (" +
      std::to_string(persons) +
      " persons; lower is better)'\n"
      "set style data histograms\nset style histogram clustered gap 1\n"
      "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
      "set logscale y\nset yrange [0.02:*]\nset grid ytics\n"
      "set ylabel 'ratio (log scale)'\nset xtics rotate by -25 noenhanced\n"
      "set rmargin 16\nset bmargin 11\n"
      "set key outside top center horizontal autotitle columnhead\n"
      "set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc "
      "'black'\n"
      "set arrow from graph 0, first " +
      std::to_string(kGoalFloor) + " to graph 1, first " + std::to_string(kGoalFloor) +
      " nohead dt 2 lc 'dark-green'\n"
      "set arrow from graph 0, first " +
      std::to_string(kGoalFdw) + " to graph 1, first " + std::to_string(kGoalFdw) +
      " nohead dt 2 lc 'dark-red'\n"
      "plot '" +
      data +
      "' using 2:xtic(1) lc 'steelblue', '' using 3 lc 'dark-red', '' using 4 "
      "lc 'dark-green'\n";
  FILE* gp = popen("gnuplot", "w");
  if (!gp) throw std::runtime_error("cannot run gnuplot (apt-get install gnuplot-nox)");
  std::fwrite(script.data(), 1, script.size(), gp);
  int status = pclose(gp);
  std::filesystem::remove(data);
  if (status != 0) throw std::runtime_error("gnuplot failed making " + path);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    fedgate::ArgParser args("compare_bench",
                            "fedgate against a central warehouse and a postgres_fdw hub.");
    args.Option("config", "FILE", "Gateway configuration of the providers", std::nullopt, true)
        .Option("queries", "DIR", "Directory of the queries (*.sql)", std::nullopt, true)
        .Option("postgres", "CONNINFO",
                "The PostgreSQL server's admin conninfo, where the baselines are built "
                "(default: the harness's FEDGATE_PG_HOST, _PORT, _ADMIN_USER, _ADMIN_PASSWORD)",
                "")
        .Option("repeat", "N", "Timed runs of each system per query", "5")
        .Option("warmup", "N", "Untimed runs of each system per query first", "1")
        .Option("json", "FILE", "Write the results here", "")
        .Option("table", "FILE", "Write the readable table here", "")
        .Option("chart", "FILE", "Write a PNG bar chart of the ratios here (gnuplot)", "")
        .Flag("rebuild", "Rebuild the baselines even if they hold the same data");
    if (!args.Parse(argc, argv, 1, std::cout)) return 0;
    const int repeat = static_cast<int>(args.GetInt("repeat"));
    const int warmup = static_cast<int>(args.GetInt("warmup"));
    if (repeat < 1) throw std::runtime_error("--repeat must be at least 1");

    using fedgate::bench::Env;
    std::string conninfo = args.Get("postgres");
    if (conninfo.empty()) {
      conninfo = "host=" + Env("FEDGATE_PG_HOST") + " port=" + Env("FEDGATE_PG_PORT") +
                 " user=" + Env("FEDGATE_PG_ADMIN_USER") +
                 " password=" + Env("FEDGATE_PG_ADMIN_PASSWORD");
    }
    conninfo += " options='-c client_min_messages=warning'";  // no NOTICEs of DROP IF EXISTS

    fedgate::config::GatewayConfig config = fedgate::config::LoadConfig(args.Get("config"));
    config.min_persons = 1;  // nothing withheld: the three answers are comparable
    for (const char* s : {"gp", "acute", "mental_health", "social_care", "community"}) {
      if (!config.sources.count(s) || config.sources.at(s).kind == "agent")
        throw std::runtime_error(std::string("the configuration needs source '") + s +
                                 "' read directly (postgres or odbc)");
    }
    const fedgate::tools::ProviderLocations where{conninfo,
                                                  config.sources.at("social_care").connection,
                                                  config.sources.at("community").connection};
    fedgate::Pseudonymiser keys(config.linkage_secret, config.dsa);

    // The baselines, reused while the providers hold what they were built from.
    const std::string stamp = fedgate::tools::ProvidersFingerprint(where) + "dsa=" + config.dsa +
                              ";probe=" + keys.FromNormalised("9434765919").Hex() + ";baselines=1";
    auto progress = [](const std::string& line) { std::cerr << "  " << line << "\n"; };
    if (args.GetFlag("rebuild") || fedgate::tools::ReadStamp(where, "central") != stamp) {
      std::cerr << "building the central warehouse (database central)\n";
      auto start = Clock::now();
      fedgate::tools::BuildWarehouse(where, "central", keys, {}, progress);
      fedgate::tools::WriteStamp(where, "central", stamp);
      std::cerr << "central warehouse built in " << Seconds(Since(start)) << " s\n";
    } else {
      std::cerr << "central warehouse: reusing database central (same data)\n";
    }
    fedgate::tools::HubOptions hub_options;
    hub_options.linkage_secret = config.linkage_secret;
    hub_options.dsa = config.dsa;
    if (args.GetFlag("rebuild") || fedgate::tools::ReadStamp(where, "hub") != stamp) {
      std::cerr << "building the postgres_fdw hub (database hub)\n";
      auto start = Clock::now();
      fedgate::tools::BuildFdwHub(where, hub_options, keys, progress);
      fedgate::tools::WriteStamp(where, "hub", stamp);
      std::cerr << "postgres_fdw hub built in " << Seconds(Since(start)) << " s\n";
    } else {
      std::cerr << "postgres_fdw hub: reusing database hub (same data)\n";
      fedgate::tools::ReconnectFdwHub(where, hub_options);
    }

    int64_t persons = 0, seed = 0;
    {
      PgConnection gp("gp", conninfo, std::string("gp"));
      auto r = gp.Query("SELECT persons, seed FROM fedgate_datagen");
      persons = r.GetInt(0, 0);
      seed = r.GetInt(0, 1);
    }

    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(args.Get("queries"))) {
      if (e.path().extension() == ".sql") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw std::runtime_error("no *.sql in " + args.Get("queries"));

    fedgate::engine::QueryEngine engine(config);
    PgConnection central("central", conninfo, std::string("central"));
    PgConnection hub("hub", conninfo, std::string("hub"));
    fedgate::connectors::QueryContext alone;
    alone.pseudonymiser = &keys;
    alone.timeout_seconds = config.query_timeout_seconds;
    alone.dsa = config.dsa;

    std::vector<QueryReport> reports;
    for (const auto& file : files) {
      const std::string sql = ReadFile(file.string());
      QueryReport report;
      report.name = file.stem().string();
      std::cerr << report.name << ":";
      // Warm-up runs first (catalog descriptions, connections, caches), then the timed ones,
      // each taking the three systems in turn. The first answers are compared.
      std::vector<std::string> run_fragments;
      for (int i = 0; i < warmup + repeat; ++i) {
        const bool timed = i >= warmup;
        auto start = Clock::now();
        auto result = engine.Run(sql);
        const double fedgate_s = Since(start);
        double hub_s = 0, central_s = 0;
        auto hub_rows = RunPg(hub, sql, &hub_s);
        auto central_rows = RunPg(central, sql, &central_s);
        if (i == 0) {
          auto fedgate_rows = fedgate::tools::RowsOf(result);
          report.result_rows = fedgate_rows.size();
          if (result.disclosure.suppressed_rows > 0)
            report.disagreements.push_back(std::to_string(result.disclosure.suppressed_rows) +
                                           " rows withheld by fedgate with min_persons 1");
          std::string d = fedgate::tools::FirstDifference(fedgate_rows, central_rows, false,
                                                          "fedgate", "central");
          if (!d.empty()) report.disagreements.push_back("fedgate vs central: " + d);
          d = fedgate::tools::FirstDifference(hub_rows, central_rows, false, "fdw hub", "central");
          if (!d.empty()) report.disagreements.push_back("fdw hub vs central: " + d);
        }
        if (!timed) continue;
        report.fedgate.push_back(fedgate_s);
        report.hub.push_back(hub_s);
        report.central.push_back(central_s);
        report.peak_engine = std::max(report.peak_engine, result.peak_memory_bytes);
        report.rows_from_sources.clear();
        run_fragments.clear();
        for (const auto& f : result.fragments) {
          report.rows_from_sources[f.source] += f.rows;
          run_fragments.push_back(f.source + ": " + f.sql);
        }
      }
      // Peak memory, in a run of its own after the timed ones (trimming the heap first would
      // make a timed run fault its pages in again).
      ResetPeakRss();
      engine.Run(sql);
      report.peak_rss = PeakRss();
      // The floor: each of the query's fragments run alone on its source, through the same
      // connector, every row fetched; the slowest one counts.
      auto plan = engine.Explain(sql);
      report.fragments = plan.fragments.size();
      std::vector<std::string> explained;
      for (const auto& f : plan.fragments) explained.push_back(f.source + ": " + f.sql);
      std::sort(run_fragments.begin(), run_fragments.end());
      std::sort(explained.begin(), explained.end());
      report.floor_plan_matches = run_fragments == explained;
      for (int i = 0; i < repeat; ++i) {
        double slowest = 0, sum = 0;
        for (const auto& f : plan.fragments) {
          auto start = Clock::now();
          auto scan = engine.catalog().ConnectorFor(f.source).Open(f, alone);
          fedgate::Batch batch;
          while (scan->Next(batch)) {
          }
          double s = Since(start);
          sum += s;
          if (s > slowest) {
            slowest = s;
            report.floor_source = f.source;
          }
        }
        report.floor.push_back(slowest);
        report.fragments_sum.push_back(sum);
      }
      std::cerr << " fedgate " << Seconds(Median(report.fedgate)) << " s, central "
                << Seconds(Median(report.central)) << " s, fdw hub " << Seconds(Median(report.hub))
                << " s, floor " << Seconds(Median(report.floor)) << " s (" << report.floor_source
                << ")" << (report.disagreements.empty() ? "" : "; ANSWERS DIFFER") << "\n";
      for (const auto& d : report.disagreements) std::cerr << "  " << d << "\n";
      reports.push_back(std::move(report));
    }

    const std::string table = Table(reports, persons, repeat);
    std::cout << table;
    if (!args.Get("table").empty()) std::ofstream(args.Get("table")) << table;
    if (!args.Get("json").empty())
      std::ofstream(args.Get("json"))
          << Json(reports, persons, seed, repeat, warmup).dump(2) << "\n";
    if (!args.Get("chart").empty()) Chart(reports, persons, args.Get("chart"));
    int disagreeing = 0;
    for (const auto& r : reports) disagreeing += r.disagreements.empty() ? 0 : 1;
    if (disagreeing > 0) {
      std::cout << disagreeing << " of " << reports.size()
                << " queries: the three systems' answers differ (see above)\n";
      return 1;
    }
    std::cout << "all " << reports.size() << " queries: fedgate, the fdw hub and the central "
              << "warehouse agree\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "compare_bench: " << e.what() << "\n";
    return 1;
  }
}
