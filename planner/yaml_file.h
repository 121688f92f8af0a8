#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

namespace fedgate::planner {

// Errors in a YAML file (the configuration, a DSA file), told as "FILE:LINE:COLUMN: what is
// wrong" with the location attached (Error kInvalidArgument).
class YamlFile {
 public:
  explicit YamlFile(std::string path) : path_(std::move(path)) {}

  // Parses `text`; a syntax error is reported at its line and column.
  YAML::Node Load(const std::string& text) const;
  [[noreturn]] void Fail(const YAML::Node& node, const std::string& message) const;
  // Fails on a key of `map` not in `allowed`, naming the known ones.
  void CheckKeys(const YAML::Node& map, const std::string& what,
                 const std::set<std::string>& allowed) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace fedgate::planner
