#pragma once

// What the source agent tests share: the agents of tests/harness/agents (their env file,
// certificates and ports) and the fixture that needs them.

#include <gtest/gtest.h>

#include <sys/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "FedgateAgent.h"
#include "common/types.h"
#include "connectors/agent/agent_tls.h"
#include "connectors/agent/wire_batch.h"
#include "tests/integration/harness_env.h"

namespace fedgate::testing {

// The agents' env file (FEDGATE_AGENT_ENV), exported into this process once.
const std::map<std::string, std::string>& AgentEnv();
// The harness agents' certificate directory, with a trailing slash.
std::string Certs();
// The port of the harness agent for `source`.
int Port(const std::string& source);
// A gateway's side of the mutual TLS, from the certificates `name`.pem / `name`-key.pem.
agent::TlsFiles GatewayTls(const std::string& name = "gateway");

namespace wire = agent::wire;

// The wire type of an engine type (scale 0).
wire::DataType Type(TypeId id);

// Structured fragments made by hand, as a hostile or buggy gateway could send them.
struct FragmentBuilder {
  wire::Fragment f;
  int Get(const std::string& table, const std::vector<std::pair<std::string, TypeId>>& cols) {
    wire::Op op;
    op.kind = wire::OpKind::GET;
    op.table = table;
    for (const auto& [name, type] : cols) {
      op.table_columns.push_back(name);
      wire::OutputColumn c;
      c.name = name;
      c.type = Type(type);
      op.columns.push_back(c);
    }
    f.ops.push_back(op);
    return static_cast<int>(f.ops.size()) - 1;
  }
  int Column(int index, TypeId type) {
    wire::Expr e;
    e.kind = wire::ExprKind::COLUMN;
    e.column = index;
    e.type = Type(type);
    f.exprs.push_back(e);
    return static_cast<int>(f.exprs.size()) - 1;
  }
  int Call(const std::string& fn, TypeId type, std::vector<int> args) {
    wire::Expr e;
    e.kind = wire::ExprKind::CALL;
    e.name = fn;
    e.type = Type(type);
    e.operands = std::move(args);
    f.exprs.push_back(e);
    return static_cast<int>(f.exprs.size()) - 1;
  }
  // A projection over ops[child] as the root (ops[0]).
  void ProjectRoot(int child, std::vector<std::pair<int, TypeId>> exprs) {
    wire::Op op;
    op.kind = wire::OpKind::PROJECT;
    op.children = {child};
    for (const auto& [e, type] : exprs) {
      op.exprs.push_back(e);
      wire::OutputColumn c;
      c.name = "c" + std::to_string(op.columns.size());
      c.type = Type(type);
      op.columns.push_back(c);
    }
    f.ops.insert(f.ops.begin(), op);
    for (auto& o : f.ops)
      for (auto& c : o.children) c += 1;
    f.ops[0].children = {child + 1};
  }
};

// Whether `needle` occurs in any readable mapping of process `pid` (/proc/PID/mem).
bool MemoryHolds(pid_t pid, const std::string& needle);

// The message of the agent's refusal of `f` (EXPECTs a REFUSED error).
std::string RefusalOf(const wire::Fragment& f, const std::string& source = "mental_health");

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FEDGATE_REQUIRE_HARNESS();
    ASSERT_TRUE(AgentEnv().count("FEDGATE_AGENT_DIR")) << "FEDGATE_AGENT_ENV names no agents";
  }
};

}  // namespace fedgate::testing
