#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace fedgate {

// A small command-line parser for `fedgate <command> [options]`. Options are `--name value`
// or `--name=value`; flags are `--name`. Unknown options, missing values and missing
// required options raise Error(kInvalidArgument) with a message naming the option.
class ArgParser {
 public:
  ArgParser(std::string command, std::string summary);

  // An option taking a value. With a default it is optional; without one it is optional
  // unless `required` is set.
  ArgParser& Option(const std::string& name, const std::string& value_name, const std::string& help,
                    std::optional<std::string> default_value = std::nullopt, bool required = false);
  ArgParser& Flag(const std::string& name, const std::string& help);
  // Free text printed after the option list (examples, environment variables).
  ArgParser& Epilog(std::string text);

  // Parses argv[first..argc). Returns false when --help was given (usage is printed to
  // `out`); true otherwise.
  bool Parse(int argc, char** argv, int first, std::ostream& out);

  bool Has(const std::string& name) const;
  std::string Get(const std::string& name) const;
  int64_t GetInt(const std::string& name) const;
  bool GetFlag(const std::string& name) const;
  std::string Usage() const;

 private:
  struct Spec {
    std::string value_name;  // empty for flags
    std::string help;
    std::optional<std::string> default_value;
    bool required = false;
  };
  std::string command_;
  std::string summary_;
  std::string epilog_;
  std::vector<std::string> order_;
  std::map<std::string, Spec> specs_;
  std::map<std::string, std::string> values_;
};

}  // namespace fedgate
