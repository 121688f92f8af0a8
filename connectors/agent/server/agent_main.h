#pragma once

// The source agent a provider runs inside its own network (DESIGN.md "Trust model"). It
// serves one source of its configuration over Thrift with mutual TLS, takes only structured
// fragments, checks them against its export manifest (the source's tables and columns as
// configured), renders its own SQL, pseudonymises the identifier with the DSA's key (the
// linkage secret never leaves it) and streams columnar batches. Every fragment it runs is
// recorded in its own hash-chained audit log. It links neither the gateway's HTTP server
// nor its query engine: the provider-side trust boundary ships (fedgate-agent) and is
// reviewed on its own.

namespace fedgate::agent {

// `fedgate-agent --config FILE [--check]` (also `fedgate agent ...`): arguments from
// argv[first_arg]. Serves until SIGTERM or SIGINT, then cancels every running scan and
// returns 0. Throws Error(kInvalidArgument) for a bad configuration or one without an
// agent section, Error(kSource) when the manifest does not match the database.
int AgentMain(int argc, char** argv, int first_arg);

}  // namespace fedgate::agent
