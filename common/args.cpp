#include "common/args.h"

#include <charconv>
#include <sstream>

#include "common/error.h"

namespace fedgate {

ArgParser::ArgParser(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

ArgParser& ArgParser::Option(const std::string& name, const std::string& value_name,
                             const std::string& help, std::optional<std::string> default_value,
                             bool required) {
  order_.push_back(name);
  specs_[name] = Spec{value_name, help, std::move(default_value), required};
  return *this;
}

ArgParser& ArgParser::Flag(const std::string& name, const std::string& help) {
  order_.push_back(name);
  specs_[name] = Spec{"", help, std::nullopt, false};
  return *this;
}

ArgParser& ArgParser::Epilog(std::string text) {
  epilog_ = std::move(text);
  return *this;
}

bool ArgParser::Parse(int argc, char** argv, int first, std::ostream& out) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      out << Usage();
      return false;
    }
    if (arg.rfind("--", 0) != 0) {
      ThrowInvalid("fedgate " + command_ + ": unexpected argument '" + arg +
                   "' (options start with --; see fedgate " + command_ + " --help)");
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto it = specs_.find(name);
    if (it == specs_.end()) {
      ThrowInvalid("fedgate " + command_ + ": unknown option --" + name + " (see fedgate " +
                   command_ + " --help)");
    }
    if (it->second.value_name.empty()) {
      if (value) ThrowInvalid("fedgate " + command_ + ": --" + name + " takes no value");
      values_[name] = "1";
      continue;
    }
    if (!value) {
      if (i + 1 >= argc) {
        ThrowInvalid("fedgate " + command_ + ": --" + name + " needs a value (" +
                     it->second.value_name + ")");
      }
      value = argv[++i];
    }
    values_[name] = *value;
  }
  for (const auto& [name, spec] : specs_) {
    if (spec.required && !values_.count(name)) {
      ThrowInvalid("fedgate " + command_ + ": --" + name + " is required (see fedgate " + command_ +
                   " --help)");
    }
  }
  return true;
}

bool ArgParser::Has(const std::string& name) const {
  if (values_.count(name)) return true;
  auto it = specs_.find(name);
  return it != specs_.end() && it->second.default_value.has_value();
}

std::string ArgParser::Get(const std::string& name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  auto spec = specs_.find(name);
  if (spec != specs_.end() && spec->second.default_value) return *spec->second.default_value;
  ThrowInvalid("fedgate " + command_ + ": --" + name + " is required");
}

int64_t ArgParser::GetInt(const std::string& name) const {
  std::string text = Get(name);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    ThrowInvalid("fedgate " + command_ + ": --" + name + " must be a whole number, got '" + text +
                 "'");
  }
  return value;
}

bool ArgParser::GetFlag(const std::string& name) const {
  return values_.count(name) > 0;
}

std::string ArgParser::Usage() const {
  std::ostringstream os;
  os << "Usage: fedgate " << command_ << " [options]\n\n" << summary_ << "\n\nOptions:\n";
  for (const auto& name : order_) {
    const Spec& spec = specs_.at(name);
    std::string left = "  --" + name + (spec.value_name.empty() ? "" : " " + spec.value_name);
    os << left;
    if (left.size() < 28) {
      os << std::string(28 - left.size(), ' ');
    } else {
      os << "\n" << std::string(28, ' ');
    }
    os << spec.help;
    if (spec.default_value && !spec.default_value->empty()) {
      os << " (default: " << *spec.default_value << ")";
    }
    if (spec.required) os << " (required)";
    os << "\n";
  }
  os << "  --help                    Show this help\n";
  if (!epilog_.empty()) os << "\n" << epilog_ << "\n";
  return os.str();
}

}  // namespace fedgate
