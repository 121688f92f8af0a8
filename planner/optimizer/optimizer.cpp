#include "planner/optimizer/optimizer.h"

#include <string>
#include <vector>

#include "common/error.h"
#include "planner/optimizer/passes.h"
#include "planner/optimizer/splitter.h"

namespace fedgate::planner {

namespace {

struct Switch {
  const char* name;
  bool OptimizerOptions::*flag;
};

// The switches, in the order OptimizerOptions declares them: the order Names() lists them
// (in --help and in the error for an unknown name) and DisabledList() reports them. The
// passes run in the order of their own table (passes.cpp).
constexpr Switch kSwitches[] = {
    {"filter_pushdown", &OptimizerOptions::filter_pushdown},
    {"projection_pruning", &OptimizerOptions::projection_pruning},
    {"aggregate_pushdown", &OptimizerOptions::aggregate_pushdown},
    {"per_person_aggregation", &OptimizerOptions::per_person_aggregation},
    {"join_pushdown", &OptimizerOptions::join_pushdown},
    {"limit_pushdown", &OptimizerOptions::limit_pushdown},
    {"semi_join_reduction", &OptimizerOptions::semi_join_reduction},
    {"expression_pushdown", &OptimizerOptions::expression_pushdown},
    {"window_pushdown", &OptimizerOptions::window_pushdown},
};

}  // namespace

std::vector<std::string> OptimizerOptions::Names() {
  std::vector<std::string> out;
  for (const auto& p : kSwitches) out.push_back(p.name);
  return out;
}

void OptimizerOptions::Set(const std::string& name, bool on) {
  if (name == "all") {
    for (const auto& p : kSwitches) this->*p.flag = on;
    return;
  }
  for (const auto& p : kSwitches) {
    if (name == p.name) {
      this->*p.flag = on;
      return;
    }
  }
  std::string known;
  for (const auto& p : kSwitches) known += std::string(known.empty() ? "" : ", ") + p.name;
  throw Error(ErrorCode::kInvalidArgument,
              "unknown optimizer pass '" + name + "' (known: all, " + known + ")");
}

void OptimizerOptions::Parse(const std::string& spec) {
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    std::string item = spec.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (eq == std::string::npos || (value != "on" && value != "off")) {
      throw Error(ErrorCode::kInvalidArgument,
                  "optimizer setting '" + item + "' must be NAME=on or NAME=off");
    }
    Set(item.substr(0, eq), value == "on");
  }
}

std::string OptimizerOptions::DisabledList() const {
  std::string out;
  for (const auto& p : kSwitches) {
    if (!(this->*p.flag)) out += std::string(out.empty() ? "" : ",") + p.name;
  }
  return out;
}

LogicalOpPtr Optimize(LogicalOpPtr plan, Catalog& catalog, const OptimizerOptions& options) {
  for (const optimizer::Pass& pass : optimizer::Passes()) {
    if (options.*pass.enabled) plan = pass.run(std::move(plan));
  }
  return optimizer::SplitIntoFragments(std::move(plan), catalog, options);
}

}  // namespace fedgate::planner
