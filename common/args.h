#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace fedgate {

// The one command-line parser for `fedgate <command> [options] [ARGS]` and the tools. Options
// are `--name value` or `--name=value`; flags are `--name`; `--` ends the options. `--help`
// or `-h` anywhere prints the usage. Unknown options, missing values, missing required
// options or positional arguments and stray arguments raise Error(kInvalidArgument) with a
// message naming what was wrong (main turns that into exit status 2).
class ArgParser {
 public:
  ArgParser(std::string command, std::string summary);

  // An option taking a value. With a default it is optional; without one it is optional
  // unless `required` is set.
  ArgParser& Option(const std::string& name, const std::string& value_name, const std::string& help,
                    std::optional<std::string> default_value = std::nullopt, bool required = false);
  ArgParser& Flag(const std::string& name, const std::string& help);
  // A required positional argument (`FILE`), or with `repeated` one or more (`FILE...`).
  // REQUIRES: no positional has been declared after a repeated one.
  ArgParser& Positional(const std::string& name, const std::string& help, bool repeated = false);
  // Free text printed after the option list (examples, environment variables).
  ArgParser& Epilog(std::string text);

  // Parses argv[first..argc). Returns false when --help was given (usage is printed to
  // `out`); true otherwise. May be called once per parser.
  bool Parse(int argc, char** argv, int first, std::ostream& out);

  bool Has(const std::string& name) const;
  std::string Get(const std::string& name) const;
  int64_t GetInt(const std::string& name) const;
  bool GetFlag(const std::string& name) const;
  // The values of a positional argument, in order (one for a plain positional).
  const std::vector<std::string>& Positionals(const std::string& name) const;
  std::string Usage() const;

 private:
  struct Spec {
    std::string value_name;  // empty for flags
    std::string help;
    std::optional<std::string> default_value;
    bool required = false;
  };
  struct PositionalSpec {
    std::string name;
    std::string help;
    bool repeated = false;
  };
  std::string PositionalSynopsis() const;

  std::string command_;
  std::string summary_;
  std::string epilog_;
  std::vector<std::string> order_;
  std::map<std::string, Spec> specs_;
  std::map<std::string, std::string> values_;
  std::vector<PositionalSpec> positional_specs_;
  std::map<std::string, std::vector<std::string>> positionals_;
};

// A command made of subcommands (`fedgate`, `fedgate policy lint|explain`): argv[first] names
// the subcommand, whose function gets the whole argv and parses from first + 1 with its own
// ArgParser.
class CommandGroup {
 public:
  using Run = std::function<int(int argc, char** argv)>;

  CommandGroup(std::string command, std::string summary);
  CommandGroup& Add(std::string name, std::string summary, Run run);

  // Runs the subcommand argv[first] and returns its exit status. `--help` or `-h` prints the
  // usage to `out` and returns 0; no subcommand prints it to `err` and returns 2. An unknown
  // subcommand or an option where the subcommand belongs raise Error(kInvalidArgument) naming
  // it. Errors of the subcommand propagate.
  int Dispatch(int argc, char** argv, int first, std::ostream& out, std::ostream& err) const;
  std::string Usage() const;

 private:
  struct Entry {
    std::string name;
    std::string summary;
    Run run;
  };
  std::string command_;
  std::string summary_;
  std::vector<Entry> entries_;
};

}  // namespace fedgate
