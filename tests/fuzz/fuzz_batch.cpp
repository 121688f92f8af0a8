// A batch from a hostile source agent: Thrift bytes -> wire::Batch -> the gateway's decoder,
// which must check every buffer against the row count and the promised types (Error kSource
// naming the agent), never read out of bounds. The first byte picks the promised types.

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "tests/fuzz/fuzz_frame.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/error.h"
#include "connectors/agent/wire_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fedgate;
  if (size == 0) return 0;
  static const std::vector<DataType> kTypes = {
      DataType::Pseudonym(), DataType::Int64(),     DataType::Text(),
      DataType::Date(),      DataType::Decimal(2),  DataType::Double(),
      DataType::Bool(),      DataType::Timestamp(), DataType::Interval()};
  std::vector<DataType> expected;
  for (int i = 0; i < (data[0] & 3) + 1; ++i)
    expected.push_back(kTypes[(data[0] >> (2 + i)) % kTypes.size()]);
  try {
    // As the agent link reads it: a whole message, with the link's limits.
    auto framed = fedgate::fuzz::Frame(data + 1, size - 1);
    apache::thrift::protocol::TBinaryProtocol protocol(framed, agent::kWireStringLimit,
                                                       agent::kWireContainerLimit, false, true);
    agent::wire::Batch batch;
    batch.read(&protocol);
    agent::DecodeBatch(batch, expected, "fuzz-agent");
  } catch (const apache::thrift::TException&) {
  } catch (const Error&) {
  }
  return 0;
}
