#pragma once

// The bytes a re-identification request travels as: the Thrift binary serialisation of a
// wire::ReidentifyRequest, which the gateway signs and the agent verifies before decoding
// (so what is verified is exactly what is read; no canonical form is needed).

#include <string>

#include "fedgate_agent_types.h"

namespace fedgate::agent {

std::string EncodeReidentifyRequest(const wire::ReidentifyRequest& request);
// Throws Error(kInvalidArgument) when `bytes` are not one request (or hold more than one).
wire::ReidentifyRequest DecodeReidentifyRequest(const std::string& bytes);

}  // namespace fedgate::agent
