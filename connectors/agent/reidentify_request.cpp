#include "connectors/agent/reidentify_request.h"

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "common/error.h"
#include "connectors/agent/wire_batch.h"

namespace fedgate::agent {

using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TMemoryBuffer;

std::string EncodeReidentifyRequest(const wire::ReidentifyRequest& request) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  TBinaryProtocol protocol(buffer);
  request.write(&protocol);
  return buffer->getBufferAsString();
}

wire::ReidentifyRequest DecodeReidentifyRequest(const std::string& bytes) {
  wire::ReidentifyRequest out;
  try {
    auto buffer =
        std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data())),
                                        static_cast<uint32_t>(bytes.size()));
    TBinaryProtocol protocol(buffer, kWireStringLimit, kWireContainerLimit, true, true);
    out.read(&protocol);
    if (buffer->available_read() != 0)
      throw Error(ErrorCode::kInvalidArgument, "trailing bytes after the request");
  } catch (const apache::thrift::TException& e) {
    throw Error(ErrorCode::kInvalidArgument,
                std::string("not a re-identification request: ") + e.what());
  }
  return out;
}

}  // namespace fedgate::agent
