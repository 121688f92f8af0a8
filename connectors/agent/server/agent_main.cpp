#include "connectors/agent/server/agent_main.h"

#include <csignal>
#include <iostream>
#include <thread>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLServerSocket.h>

#include "common/args.h"
#include "common/error.h"
#include "config/config.h"
#include "connectors/agent/agent_tls.h"
#include "connectors/agent/server/agent_handler.h"
#include "connectors/agent/server/agent_state.h"
#include "connectors/agent/wire_batch.h"

namespace fedgate::agent {

namespace {

std::atomic<int> g_agent_signal{0};
void OnAgentSignal(int s) {
  g_agent_signal = s;
}

}  // namespace

int AgentMain(int argc, char** argv, int first_arg) {
  ArgParser args("agent",
                 "Runs the source agent for one provider: serves the source named by the\n"
                 "configuration's agent section to gateways over Thrift with mutual TLS,\n"
                 "pseudonymising its identifier at source. SIGTERM or Ctrl-C: stop.");
  args.Option(
      "config", "FILE",
      "Agent configuration (YAML): agent {listen, source, tls, allowed_gateways, "
      "max_scans, reidentification}, linkage_secret, audit_log and the source with its tables",
      std::nullopt, true);
  args.Flag("check", "Only load and validate the configuration, print what it would serve, exit");
  if (!args.Parse(argc, argv, first_arg, std::cout)) return 0;
  const auto config = config::LoadConfig(args.Get("config"));
  if (!config.has_agent) ThrowInvalid(args.Get("config") + " has no agent section");
  if (args.GetFlag("check")) {
    const auto& source = config.sources.at(config.agent.source);
    std::cout << "agent for source '" << source.name << "' (" << source.kind
              << (source.dialect.empty() ? "" : ", " + source.dialect) << ") on "
              << config.agent.listen_host << ":" << config.agent.listen_port << "; exports";
    for (const auto& [name, t] : source.tables) std::cout << " " << name;
    std::cout << "; accepts";
    for (const auto& g : config.agent.allowed_gateways) std::cout << " " << g;
    if (config.has_reidentification) {
      std::cout << "; re-identifies through " << config.reidentification.table << "."
                << config.reidentification.organisation_column << " for";
      for (const auto& [dsa, allow] : config.reidentification.allow) std::cout << " " << dsa;
    }
    std::cout << "\n";
    return 0;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a gateway that hangs up must not kill the agent
  AgentState agent(config);
  // Check the manifest against the database before serving.
  for (const auto& table : agent.catalog().TableNames(config.agent.source))
    agent.catalog().Table(config.agent.source, table);
  ReidentifyService reidentify(agent);

  auto tls =
      ServerTlsFactory({config.agent.tls_ca, config.agent.tls_certificate, config.agent.tls_key},
                       config.agent.allowed_gateways);
  auto socket = std::make_shared<apache::thrift::transport::TSSLServerSocket>(
      config.agent.listen_host, config.agent.listen_port, tls);
  apache::thrift::server::TThreadedServer server(
      std::make_shared<wire::FedgateAgentProcessorFactory>(MakeHandlerFactory(agent, reidentify)),
      socket, std::make_shared<apache::thrift::transport::TBufferedTransportFactory>(),
      std::make_shared<apache::thrift::protocol::TBinaryProtocolFactory>(
          kWireStringLimit, kWireContainerLimit, false, true));
  std::signal(SIGINT, OnAgentSignal);
  std::signal(SIGTERM, OnAgentSignal);
  std::thread serving([&server] { server.serve(); });
  // serve() listens first; wait for the port so the line below means "ready".
  for (int i = 0; i < 100 && socket->getPort() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::cerr << "fedgate agent: serving source '" << config.agent.source << "' on "
            << config.agent.listen_host << ":" << config.agent.listen_port << " to "
            << config.agent.allowed_gateways.size() << " gateway certificate(s)\n";
  std::cout << "listening " << config.agent.listen_host << ":" << config.agent.listen_port
            << std::endl;
  while (g_agent_signal == 0) ::pause();
  std::cerr << "fedgate agent: shutting down\n";
  agent.CancelAll();
  server.stop();
  serving.join();
  return 0;
}

}  // namespace fedgate::agent
