// SQL text from a hostile analyst -> parse -> bind against the fixed catalog -> disclosure
// control built into the plan -> optimize and split -> each fragment rendered in its
// source's dialect (PostgreSQL, SQL Server, SQLite, MariaDB) or encoded as a structured
// fragment (mental_health, as for a source agent). The input's length picks the rules and
// whether the optimizer runs, so every path is reached from one corpus.

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "engine/query_engine.h"
#include "sql/trino_text.h"
#include "tests/fuzz/fuzz_catalog.h"

namespace {

fedgate::engine::QueryEngine& Engine() {
  static fedgate::config::GatewayConfig config = fedgate::fuzz::FuzzConfig();
  static fedgate::engine::QueryEngine engine(config, fedgate::fuzz::FuzzCatalog(config));
  return engine;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fedgate;
  const std::string sql(reinterpret_cast<const char*>(data), size);
  engine::QueryOptions options;
  if (size % 3 == 1) {
    auto rules = std::make_shared<disclosure::Rules>();
    rules->cell_key_perturbation = true;
    rules->dominance_n = 2;
    rules->dominance_k = 85;
    rules->p_ratio = 0.1;
    rules->rounding = {disclosure::Rounding::Kind::kBase, 5};
    options.disclosure = rules;
  }
  if (size % 3 == 2) options.optimizer.Parse("all=off");
  try {
    Engine().Explain(sql, options);
  } catch (const Error&) {
    // Refusals and errors are answers; only crashes, leaks and undefined behaviour are bugs.
  }
  try {
    sql::TrinoText text(sql, {"somerset-demo"});
    Engine().Explain(text.text(), options);
  } catch (const Error&) {
  }
  return 0;
}
