#pragma once

// The layers of fedgate's code, as folders, and the check that every #include goes the
// right way (STYLE.md: "one room per module"; issue 14). A module is a folder; a file
// belongs to the module of its longest matching folder (connectors/agent/server is a module
// of its own, above the planner; the rest of connectors/ is below it). A module may include
// its own headers and those of the modules it depends on, directly or through others; never
// one above it or beside it. CMake's libraries follow the same graph.

#include <map>
#include <string>
#include <vector>

namespace fedgate::layering {

struct Module {
  std::string folder;
  std::vector<std::string> depends_on;  // direct; what they depend on is allowed too
};

// In the order of a query's life, from the bottom.
const std::vector<Module>& Modules();

// The module a repository path belongs to ("" for none: tests, tools, bench, third parties).
// Headers without a folder (the Thrift-generated FedgateAgent.h, fedgate_agent_types.h,
// fedgate_agent_constants.h) belong to connectors, which generates them.
std::string ModuleOf(const std::string& path);

// Every module `module` may include: itself and the closure of its dependencies.
std::vector<std::string> Allowed(const std::string& module);

struct Violation {
  std::string file;
  int line = 0;
  std::string include;
  std::string message;  // "planner/binder/x.cpp:12: planner/binder may not include engine/..."
};

// The wrong-way includes of `files` (repository path -> text), e.g. the repository's own.
std::vector<Violation> Check(const std::map<std::string, std::string>& files);

}  // namespace fedgate::layering
