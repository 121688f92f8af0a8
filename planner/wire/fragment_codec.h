#pragma once

#include <string>

#include "planner/catalog.h"
#include "planner/logical_plan.h"

namespace fedgate::agent::wire {
class Fragment;  // Thrift's (connectors/agent/fedgate_agent.thrift): only the codec includes it
}  // namespace fedgate::agent::wire

namespace fedgate::planner {

// The gateway side: a pushed subtree (every operator in it passed CanPushOperator) as the
// agent protocol's structured fragment, Thrift-serialised (Fragment::structured).
std::string EncodeFragment(const LogicalOp& op);

// The agent side: rebuilds the subtree against the agent's own catalog (its export manifest)
// and checks it, trusting nothing the gateway claims:
//  - every table and column must be in the manifest for `source` (the raw identifier never is:
//    the manifest exposes it only as person_id);
//  - types are recomputed bottom-up and must equal the fragment's (so no output can pass a
//    person key off as ordinary text and skip pseudonymisation);
//  - a person key may only be compared, tested for NULL, chosen by CASE/COALESCE/NULLIF,
//    grouped, joined on and counted; anything else that uses one is refused;
//  - only functions and operators the source's dialect may evaluate are accepted.
// Throws Error(kPermissionDenied) for what the manifest or these rules refuse and
// Error(kInvalidArgument) for a malformed fragment.
LogicalOpPtr DecodeFragment(const agent::wire::Fragment& fragment, Catalog& catalog,
                            const std::string& source);

}  // namespace fedgate::planner
