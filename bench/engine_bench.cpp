// fedgate_engine_bench: runs a query repeatedly through one warm engine and reports its time
// against the time of its slowest source fragment (the floor a federated engine cannot beat:
// it has to wait for every source), and against the same query with every optimizer pass off
// (fetch whole tables, do everything in the gateway).
//
//   fedgate_engine_bench --config FILE --file QUERY.sql [--repeat N]
//
// Prints one line per run and then the medians and ratios.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "common/args.h"
#include "common/error.h"
#include "planner/config.h"
#include "planner/query_engine.h"

namespace {

struct Run {
  double total = 0;
  double slowest = 0;
  std::string slowest_source;
  int64_t rows_from_sources = 0;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

Run Measure(fedgate::planner::QueryEngine& engine, const std::string& sql,
            const fedgate::planner::QueryOptions& options) {
  auto result = engine.Run(sql, options);
  Run r;
  r.total = result.seconds;
  for (const auto& f : result.fragments) {
    r.rows_from_sources += f.rows;
    if (f.seconds > r.slowest) {
      r.slowest = f.seconds;
      r.slowest_source = f.source;
    }
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    fedgate::ArgParser args(
        "engine_bench", "Times a query through a warm engine against its slowest source fragment.");
    args.Option("config", "FILE", "Gateway configuration", std::nullopt, true)
        .Option("file", "FILE", "The query", std::nullopt, true)
        .Option("repeat", "N", "Timed runs (after one warm-up run)", "7")
        .Option("baseline-repeat", "N", "Timed runs with every optimizer pass off (0: skip)", "3");
    if (!args.Parse(argc, argv, 1, std::cout)) return 0;
    std::ifstream in(args.Get("file"));
    if (!in) throw fedgate::Error(fedgate::ErrorCode::kNotFound, "cannot read " + args.Get("file"));
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string sql = ss.str();
    fedgate::planner::QueryEngine engine(fedgate::planner::LoadConfig(args.Get("config")));
    fedgate::planner::QueryOptions optimized;
    fedgate::planner::QueryOptions gateway_only;
    gateway_only.optimizer.Set("all", false);

    auto warm = engine.Run(sql, optimized);  // catalog descriptions, connections
    std::printf("query: %s (%zu result rows, %lld withheld)\n", args.Get("file").c_str(),
                warm.rows.rows, static_cast<long long>(warm.suppressed_rows));
    std::vector<double> totals, slowest, ratios;
    for (int64_t i = 0; i < args.GetInt("repeat"); ++i) {
      Run r = Measure(engine, sql, optimized);
      totals.push_back(r.total);
      slowest.push_back(r.slowest);
      ratios.push_back(r.total / r.slowest);
      std::printf(
          "  run %lld: %.3f s, slowest fragment %.3f s (%s), %.2fx, %lld rows from sources\n",
          static_cast<long long>(i + 1), r.total, r.slowest, r.slowest_source.c_str(),
          r.total / r.slowest, static_cast<long long>(r.rows_from_sources));
    }
    std::vector<double> baseline;
    int64_t baseline_rows = 0;
    for (int64_t i = 0; i < args.GetInt("baseline-repeat"); ++i) {
      Run r = Measure(engine, sql, gateway_only);
      baseline.push_back(r.total);
      baseline_rows = r.rows_from_sources;
    }
    std::printf("median: %.3f s; slowest fragment %.3f s\n", Median(totals), Median(slowest));
    std::printf("ratio to slowest fragment: %.2fx (goal <= 1.25x)\n", Median(ratios));
    if (!baseline.empty()) {
      std::printf("all passes off: %.3f s, %lld rows from sources; optimized is %.1fx faster\n",
                  Median(baseline), static_cast<long long>(baseline_rows),
                  Median(baseline) / Median(totals));
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "engine_bench: " << e.what() << "\n";
    return 1;
  }
}
