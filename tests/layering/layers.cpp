#include "tests/layering/layers.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace fedgate::layering {

const std::vector<Module>& Modules() {
  static const std::vector<Module> modules = {
      {"common", {}},
      {"sql", {"common"}},
      {"config", {"sql"}},
      {"audit", {"common"}},
      {"connectors", {"config"}},
      {"planner", {"connectors"}},  // values, bound expressions, the catalog, logical plans
      {"planner/function", {"planner"}},
      {"planner/binder", {"planner/function"}},
      {"planner/deparse", {"planner/function"}},
      {"planner/wire", {"planner/deparse"}},
      {"planner/optimizer", {"planner/binder", "planner/wire"}},
      {"planner/exec", {"planner/function"}},
      {"disclosure", {"planner/binder", "planner/exec"}},
      {"engine", {"planner/optimizer", "disclosure"}},
      {"policy", {"engine", "audit"}},
      {"reidentification", {"policy"}},
      {"connectors/agent/server", {"planner/wire", "audit"}},
      {"datagen", {"connectors"}},
      {"gateway", {"policy", "reidentification", "connectors/agent/server", "datagen"}},
  };
  return modules;
}

std::string ModuleOf(const std::string& path) {
  if (path.find('/') == std::string::npos) {
    return path.rfind("FedgateAgent", 0) == 0 || path.rfind("fedgate_agent_", 0) == 0 ? "connectors"
                                                                                      : "";
  }
  std::string best;
  for (const auto& m : Modules()) {
    if (path.rfind(m.folder + "/", 0) == 0 && m.folder.size() > best.size()) best = m.folder;
  }
  return best;
}

std::vector<std::string> Allowed(const std::string& module) {
  std::set<std::string> out;
  std::vector<std::string> todo = {module};
  while (!todo.empty()) {
    const std::string m = todo.back();
    todo.pop_back();
    if (!out.insert(m).second) continue;
    for (const auto& def : Modules()) {
      if (def.folder == m) todo.insert(todo.end(), def.depends_on.begin(), def.depends_on.end());
    }
  }
  return {out.begin(), out.end()};
}

std::vector<Violation> Check(const std::map<std::string, std::string>& files) {
  std::vector<Violation> out;
  for (const auto& [file, text] : files) {
    const std::string module = ModuleOf(file);
    if (module.empty()) continue;
    const auto allowed = Allowed(module);
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      const auto hash = line.find_first_not_of(" \t");
      if (hash == std::string::npos || line.compare(hash, 8, "#include") != 0) continue;
      const auto open = line.find('"', hash);
      if (open == std::string::npos) continue;  // <system> headers
      const auto close = line.find('"', open + 1);
      if (close == std::string::npos) continue;
      const std::string include = line.substr(open + 1, close - open - 1);
      const std::string target = ModuleOf(include);
      std::string problem;
      if (target.empty()) {
        problem = module + " may include only fedgate's modules, not " + include;
      } else if (std::find(allowed.begin(), allowed.end(), target) == allowed.end()) {
        problem = module + " may not include " + include + " (" + target +
                  " is not below it; see tests/layering/layers.cpp)";
      }
      if (!problem.empty()) {
        out.push_back({file, n, include, file + ":" + std::to_string(n) + ": " + problem});
      }
    }
  }
  return out;
}

}  // namespace fedgate::layering
