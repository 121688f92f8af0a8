#include "config/yaml_file.h"

#include "common/error.h"

namespace fedgate::config {

namespace {

[[noreturn]] void Throw(const std::string& path, int line, int column, const std::string& message) {
  TextLocation location;
  std::string where = path;
  if (line >= 0) {
    location = {line + 1, column + 1};
    where += ":" + std::to_string(location.line) + ":" + std::to_string(location.column);
  }
  throw Error(ErrorCode::kInvalidArgument, where + ": " + message, location);
}

}  // namespace

YAML::Node YamlFile::Load(const std::string& text) const {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Throw(path_, e.mark.line, e.mark.column, e.msg);
  }
}

void YamlFile::Rethrow(const YAML::Exception& e) const {
  Throw(path_, e.mark.line, e.mark.column, e.msg);
}

void YamlFile::Fail(const YAML::Node& node, const std::string& message) const {
  const auto mark = node.Mark();
  Throw(path_, mark.line, mark.column, message);
}

void YamlFile::CheckKeys(const YAML::Node& map, const std::string& what,
                         const std::set<std::string>& allowed) const {
  if (!map.IsMap()) Fail(map, what + " must be a mapping");
  for (const auto& kv : map) {
    auto key = kv.first.as<std::string>();
    if (!allowed.count(key)) {
      std::string known;
      for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
      Fail(kv.first, what + ": unknown key '" + key + "' (known: " + known + ")");
    }
  }
}

}  // namespace fedgate::config
