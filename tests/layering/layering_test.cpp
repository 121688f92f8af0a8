// Fails on an #include that crosses the layers the wrong way (tests/layering/layers.cpp), and
// on a source agent binary that links the gateway's HTTP server or query engine.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/layering/layers.h"

namespace fedgate::layering {
namespace {

std::map<std::string, std::string> SourceTree() {
  namespace fs = std::filesystem;
  const fs::path root = FEDGATE_SOURCE_DIR;
  std::map<std::string, std::string> files;
  for (const auto& m : Modules()) {
    if (!fs::exists(root / m.folder)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / m.folder)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      files[fs::relative(entry.path(), root).string()] = text.str();
    }
  }
  return files;
}

TEST(LayeringTest, EveryIncludeGoesDownTheLayers) {
  const auto files = SourceTree();
  ASSERT_GT(files.size(), 100u) << "the source tree was not found at " << FEDGATE_SOURCE_DIR;
  std::string report;
  for (const auto& v : Check(files)) report += v.message + "\n";
  EXPECT_TRUE(report.empty()) << report;
}

TEST(LayeringTest, EveryFolderWithCodeIsAModule) {
  namespace fs = std::filesystem;
  const fs::path root = FEDGATE_SOURCE_DIR;
  for (const char* top : {"common", "sql", "config", "audit", "connectors", "planner", "disclosure",
                          "engine", "policy", "datagen", "gateway"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      if (entry.path().extension() != ".cpp") continue;
      const std::string path = fs::relative(entry.path(), root).string();
      const std::string folder = fs::relative(entry.path().parent_path(), root).string();
      // Each folder holding code is a module, so the check sees every room of the house; the
      // connector kinds (postgres, odbc, memory, agent's client) are one module, connectors.
      const bool connector_kind =
          folder.rfind("connectors/", 0) == 0 && ModuleOf(path) == "connectors";
      EXPECT_TRUE(ModuleOf(path) == folder || connector_kind)
          << path << " is in a folder the layers do not name (tests/layering/layers.cpp)";
    }
  }
}

TEST(LayeringTest, WrongWayIncludesAreCaught) {
  const std::map<std::string, std::string> files = {
      {"planner/exec/x.cpp",
       "#include \"planner/exec/operator.h\"\n#include \"engine/query_engine.h\"\n"},
      {"connectors/postgres/x.cpp", "#include \"planner/catalog.h\"\n"},
      {"planner/binder/x.cpp", "#include \"planner/optimizer/optimizer.h\"\n"},
      {"connectors/agent/server/x.cpp", "#include \"gateway/http_server.h\"\n"},
      {"connectors/agent/server/y.cpp", "#include \"engine/query_engine.h\"\n"},
      {"common/x.h", "  #include \"tests/integration/harness_env.h\"\n"},
      {"disclosure/x.cpp", "#include \"policy/dsa.h\"\n#include <vector>\n"},
      {"policy/ok.cpp", "#include \"engine/query_engine.h\"\n#include \"audit/audit_log.h\"\n"},
  };
  const auto found = Check(files);
  std::set<std::string> where;
  for (const auto& v : found) where.insert(v.file + ":" + std::to_string(v.line));
  EXPECT_EQ(where, (std::set<std::string>{
                       "planner/exec/x.cpp:2", "connectors/postgres/x.cpp:1",
                       "planner/binder/x.cpp:1", "connectors/agent/server/x.cpp:1",
                       "connectors/agent/server/y.cpp:1", "common/x.h:1", "disclosure/x.cpp:1"}));
  for (const auto& v : found) {
    if (v.file == "planner/exec/x.cpp") {
      EXPECT_EQ(v.message,
                "planner/exec/x.cpp:2: planner/exec may not include engine/query_engine.h (engine "
                "is not below it; see tests/layering/layers.cpp)");
    }
  }
}

// The provider-side trust boundary ships on its own: fedgate-agent holds no gateway code.
TEST(LayeringTest, TheAgentBinaryLinksNoGatewayCode) {
  const std::string cmd = std::string("nm -C '") + FEDGATE_AGENT_BINARY + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::array<char, 4096> buf{};
  size_t symbols = 0;
  std::string found;
  while (std::fgets(buf.data(), buf.size(), p)) {
    const std::string line = buf.data();
    ++symbols;
    for (const char* ns : {"fedgate::gateway::", "fedgate::engine::", "fedgate::policy::",
                           "fedgate::disclosure::"}) {
      if (line.find(ns) != std::string::npos && found.size() < 2000) found += line;
    }
  }
  ::pclose(p);
  EXPECT_GT(symbols, 1000u) << "nm read no symbols from " << FEDGATE_AGENT_BINARY;
  EXPECT_TRUE(found.empty()) << "fedgate-agent links:\n" << found;
}

}  // namespace
}  // namespace fedgate::layering
