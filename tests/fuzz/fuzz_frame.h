#pragma once

#include <thrift/transport/TBufferTransports.h>

#include <cstdint>
#include <memory>

namespace fedgate::fuzz {

// `data` as one whole message whose size is known, as a framed transport knows it from the
// frame's length: Thrift then refuses a message that declares more elements or bytes than
// it holds, before allocating them.
inline std::shared_ptr<apache::thrift::transport::TMemoryBuffer> Frame(const uint8_t* data,
                                                                       size_t size) {
  auto memory = std::make_shared<apache::thrift::transport::TMemoryBuffer>(
      const_cast<uint8_t*>(data), static_cast<uint32_t>(size));
  memory->updateKnownMessageSize(static_cast<long>(size));
  return memory;
}

}  // namespace fedgate::fuzz
