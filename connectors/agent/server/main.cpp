// fedgate-agent: the source agent binary (see agent_main.h).

#include <iostream>

#include "common/error.h"
#include "connectors/agent/server/agent_main.h"

int main(int argc, char** argv) {
  try {
    return fedgate::agent::AgentMain(argc, argv, 1);
  } catch (const fedgate::Error& e) {
    std::cerr << "fedgate agent: error: " << e.what() << "\n";
    return e.code() == fedgate::ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "fedgate agent: internal error: " << e.what() << "\n";
    return 1;
  }
}
