#pragma once

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/error.h"

namespace fedgate::bench {

// An environment variable the harness's env file sets; a clear error when it is missing.
inline std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v)
    throw Error(ErrorCode::kInvalidArgument,
                std::string(name) + " is not set: source the harness's env file first");
  return v;
}

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace fedgate::bench
