// A DSA file or a gateway configuration from a hostile (or careless) owner: parsed and
// validated; every bad file must give an Error with file:line:column, never a crash. The
// first byte picks which reader gets the rest.

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "config/config.h"
#include "policy/dsa.h"
#include "policy/gate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fedgate;
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (data[0] & 1) {
      policy::Dsa d = policy::ParseDsa(text, "fuzz.yaml");
      policy::DescribeRules(d);
      policy::DsaWarnings(d);
    } else {
      config::ParseConfig(text, "/nonexistent/fuzz.yaml");
    }
  } catch (const Error&) {
  }
  return 0;
}
