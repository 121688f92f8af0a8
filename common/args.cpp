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

ArgParser& ArgParser::Positional(const std::string& name, const std::string& help, bool repeated) {
  positional_specs_.push_back({name, help, repeated});
  return *this;
}

ArgParser& ArgParser::Epilog(std::string text) {
  epilog_ = std::move(text);
  return *this;
}

bool ArgParser::Parse(int argc, char** argv, int first, std::ostream& out) {
  // --help wins wherever it is, even after a mistake (`audit verify --help` is not a file).
  // The pre-scan skips the values of options (`--sql --help` is a query, if an odd one).
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") {
      out << Usage();
      return false;
    }
    if (arg.rfind("--", 0) == 0 && arg.find('=') == std::string::npos) {
      auto it = specs_.find(arg.substr(2));
      if (it != specs_.end() && !it->second.value_name.empty()) ++i;
    }
  }
  std::vector<std::string> free;
  bool options_ended = false;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (!options_ended && arg == "--") {
      options_ended = true;
      continue;
    }
    if (options_ended || arg.rfind("-", 0) != 0 || arg == "-") {
      free.push_back(arg);
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      ThrowInvalid("fedgate " + command_ + ": unknown option " + arg +
                   " (options start with --; see fedgate " + command_ + " --help)");
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
  size_t next = 0;
  for (const auto& spec : positional_specs_) {
    if (next >= free.size()) {
      ThrowInvalid("fedgate " + command_ + ": " + spec.name + " is missing (usage: fedgate " +
                   command_ + " [options] " + PositionalSynopsis() + ")");
    }
    auto& values = positionals_[spec.name];
    do {
      values.push_back(free[next++]);
    } while (spec.repeated && next < free.size());
  }
  if (next < free.size()) {
    ThrowInvalid("fedgate " + command_ + ": unexpected argument '" + free[next] +
                 "' (options start with --; see fedgate " + command_ + " --help)");
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

const std::vector<std::string>& ArgParser::Positionals(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = positionals_.find(name);
  return it == positionals_.end() ? kNone : it->second;
}

std::string ArgParser::PositionalSynopsis() const {
  std::string out;
  for (const auto& p : positional_specs_) {
    if (!out.empty()) out += ' ';
    out += p.name + (p.repeated ? "..." : "");
  }
  return out;
}

std::string ArgParser::Usage() const {
  std::ostringstream os;
  const std::string synopsis = PositionalSynopsis();
  os << "Usage: fedgate " << command_ << " [options]" << (synopsis.empty() ? "" : " " + synopsis)
     << "\n\n"
     << summary_ << "\n\n";
  if (!positional_specs_.empty()) {
    os << "Arguments:\n";
    for (const auto& p : positional_specs_) {
      std::string left = "  " + p.name + (p.repeated ? "..." : "");
      os << left << std::string(left.size() < 28 ? 28 - left.size() : 1, ' ') << p.help << "\n";
    }
    os << "\n";
  }
  os << "Options:\n";
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

CommandGroup::CommandGroup(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

CommandGroup& CommandGroup::Add(std::string name, std::string summary, Run run) {
  entries_.push_back({std::move(name), std::move(summary), std::move(run)});
  return *this;
}

int CommandGroup::Dispatch(int argc, char** argv, int first, std::ostream& out,
                           std::ostream& err) const {
  const std::string self = command_.empty() ? "fedgate" : "fedgate " + command_;
  if (first >= argc) {
    err << Usage();
    return 2;
  }
  const std::string name = argv[first];
  if (name == "--help" || name == "-h" || name == "help") {
    out << Usage();
    return 0;
  }
  for (const auto& e : entries_) {
    if (e.name == name) return e.run(argc, argv);
  }
  std::string names;
  for (const auto& e : entries_) names += (names.empty() ? "" : ", ") + e.name;
  if (name.rfind("-", 0) == 0) {
    ThrowInvalid(self + ": unknown option " + name + " (expected a command: " + names + "; see " +
                 self + " --help)");
  }
  ThrowInvalid(self + ": unknown command '" + name + "' (expected one of: " + names + "; see " +
               self + " --help)");
}

std::string CommandGroup::Usage() const {
  const std::string self = command_.empty() ? "fedgate" : "fedgate " + command_;
  std::ostringstream os;
  os << "Usage: " << self << " <command> [options]\n\n" << summary_ << "\n\nCommands:\n";
  for (const auto& e : entries_) {
    os << "  " << e.name << std::string(e.name.size() < 12 ? 12 - e.name.size() : 1, ' ')
       << e.summary << "\n";
  }
  os << "\nRun '" << self << " <command> --help' for a command's options.\n";
  return os.str();
}

}  // namespace fedgate
