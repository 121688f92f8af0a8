// Rewrites tests/sql/golden/*.golden from fedgate's current output: a tool, not a test (run
// by `./run golden-rewrite`, which starts the harness's servers). Review the diff after.
//
//   fedgate_golden_rewrite      (FEDGATE_HARNESS_ENV names the harness's env file)

#include <fstream>
#include <iostream>
#include <sstream>

#include "common/error.h"
#include "tests/integration/harness_env.h"
#include "tests/sql/golden_cases.h"

namespace fedgate::testing {
namespace {

int Rewrite() {
  const auto& env = HarnessEnv::Get();
  if (!env.ok()) {
    std::cerr << "fedgate_golden_rewrite: " << env.error() << "\n";
    return 2;
  }
  auto cases = LoadGolden();
  for (const auto& path : GoldenFiles()) {
    std::ifstream in(path);
    std::stringstream out;
    std::string line;
    bool skipping = false;
    size_t next = 0;
    while (std::getline(in, line)) {
      if (skipping) {
        if (line == "====") {
          skipping = false;
          out << "====\n";
        }
        continue;
      }
      out << line << "\n";
      if (line == "----") {
        while (cases[next].file != path.filename().string()) ++next;
        out << Deparse(cases[next++]);
        skipping = true;
      }
    }
    std::ofstream(path) << out.str();
  }
  std::cout << "rewrote " << GoldenFiles().size() << " golden files; review with git diff\n";
  return 0;
}

}  // namespace
}  // namespace fedgate::testing

int main() {
  try {
    return fedgate::testing::Rewrite();
  } catch (const std::exception& e) {
    std::cerr << "fedgate_golden_rewrite: " << e.what() << "\n";
    return 1;
  }
}
