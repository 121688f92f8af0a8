// A structured fragment from a hostile gateway, at the source agent: Thrift bytes ->
// wire::Fragment -> the agent's decoder and manifest check (planner/wire/fragment_codec.h), which
// must refuse what the manifest does not export (kPermissionDenied) or what is malformed
// (kInvalidArgument), never crash; a fragment it accepts is rendered as the source's SQL.

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "tests/fuzz/fuzz_frame.h"

#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/error.h"
#include "connectors/agent/wire_batch.h"
#include "planner/deparse/deparse.h"
#include "planner/wire/fragment_codec.h"
#include "tests/fuzz/fuzz_catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fedgate;
  static config::GatewayConfig config = fuzz::FuzzConfig();
  static std::unique_ptr<planner::Catalog> catalog = fuzz::FuzzCatalog(config);
  try {
    // As the agent link reads it: a whole message, with the link's limits.
    auto framed = fedgate::fuzz::Frame(data, size);
    apache::thrift::protocol::TBinaryProtocol protocol(framed, agent::kWireStringLimit,
                                                       agent::kWireContainerLimit, false, true);
    agent::wire::Fragment fragment;
    fragment.read(&protocol);
    auto op = planner::DecodeFragment(fragment, *catalog, "mental_health");
    planner::RenderFragmentSql(*op, catalog->ConnectorFor("mental_health").dialect());
  } catch (const apache::thrift::TException&) {
  } catch (const Error&) {
  }
  return 0;
}
