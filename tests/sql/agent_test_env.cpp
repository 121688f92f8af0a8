#include "tests/sql/agent_test_env.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "connectors/agent/agent_connector.h"

namespace fedgate::testing {

// The agents' env file (FEDGATE_AGENT_ENV), exported into this process once.
const std::map<std::string, std::string>& AgentEnv() {
  static const std::map<std::string, std::string> env = [] {
    std::map<std::string, std::string> out;
    const char* path = std::getenv("FEDGATE_AGENT_ENV");
    std::ifstream in(path ? path : "");
    std::string line;
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      out[line.substr(0, eq)] = line.substr(eq + 1);
      ::setenv(line.substr(0, eq).c_str(), line.substr(eq + 1).c_str(), 1);
    }
    return out;
  }();
  return env;
}

std::string Certs() {
  return AgentEnv().at("FEDGATE_AGENT_DIR") + "/certs/";
}
int Port(const std::string& source) {
  std::string key = "FEDGATE_AGENT_" + source + "_PORT";
  for (auto& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return std::stoi(AgentEnv().at(key));
}

agent::TlsFiles GatewayTls(const std::string& name) {
  return {Certs() + "ca.pem", Certs() + name + ".pem", Certs() + name + "-key.pem"};
}

wire::DataType Type(TypeId id) {
  return agent::ToWire(DataType{id, 0});
}

std::string RefusalOf(const wire::Fragment& f, const std::string& source) {
  agent::AgentConnector connector(source, "localhost", Port(source), GatewayTls());
  try {
    auto link = connector.Connect(30000);
    link->client().open_scan("somerset-test", "agent_test", "q1", f, 10);
  } catch (const wire::AgentError& e) {
    EXPECT_EQ(e.kind, wire::ErrorKind::REFUSED) << e.message;
    return e.message;
  }
  return "not refused";
}

// Reads every readable mapping of `pid` and reports whether `needle` occurs in it.
bool MemoryHolds(pid_t pid, const std::string& needle) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::ifstream mem("/proc/" + std::to_string(pid) + "/mem", std::ios::binary);
  std::string line;
  std::vector<char> buf;
  while (std::getline(maps, line)) {
    unsigned long lo = 0, hi = 0;
    char perms[5] = {0};
    if (std::sscanf(line.c_str(), "%lx-%lx %4s", &lo, &hi, perms) != 3 || perms[0] != 'r') continue;
    if (line.find("[vvar]") != std::string::npos) continue;
    buf.resize(hi - lo);
    mem.clear();
    mem.seekg(static_cast<std::streamoff>(lo));
    if (!mem.read(buf.data(), static_cast<std::streamsize>(buf.size()))) continue;
    if (std::search(buf.begin(), buf.end(), needle.begin(), needle.end()) != buf.end()) return true;
  }
  return false;
}

}  // namespace fedgate::testing
