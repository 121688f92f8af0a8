#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

namespace fedgate::config {

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
  // Runs `read`. A YAML exception it lets escape (a value of the wrong kind read deep in a
  // reader, e.g. a mapping where a text was expected) becomes the same located Error as any
  // other mistake in the file (found by tests/fuzz/fuzz_config: it used to end the process).
  template <class Read>
  auto Guard(Read&& read) const -> decltype(read()) {
    try {
      return read();
    } catch (const YAML::Exception& e) {
      Rethrow(e);
    }
  }
  [[noreturn]] void Rethrow(const YAML::Exception& e) const;

 private:
  std::string path_;
};

}  // namespace fedgate::config
