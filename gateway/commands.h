#pragma once

namespace fedgate::gateway {

// Each subcommand parses its own options from argv[2..] (argv[3..] under a group such as
// `policy`) with common/args' ArgParser, and returns the process exit code.
// Errors of kind fedgate::Error propagate to main, which prints them.
int DatagenCommand(int argc, char** argv);
int QueryCommand(int argc, char** argv);
int ExplainCommand(int argc, char** argv);
int PolicyCommand(int argc, char** argv);
int AuditCommand(int argc, char** argv);
int LinkageCommand(int argc, char** argv);
int ServeCommand(int argc, char** argv);
int PasswdCommand(int argc, char** argv);
int SourcesCommand(int argc, char** argv);
int AgentCommand(int argc, char** argv);
int VersionCommand(int argc, char** argv);

}  // namespace fedgate::gateway
