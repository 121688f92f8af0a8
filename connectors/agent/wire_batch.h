#pragma once

#include "common/batch.h"
#include "common/error.h"
#include "common/types.h"
#include "fedgate_agent_types.h"

namespace fedgate::agent {

// Engine types on the wire (the numbering is shared).
wire::DataType ToWire(const DataType& t);
// Throws Error(kInvalidArgument) for a type id out of range.
DataType FromWire(const wire::DataType& t);

// Errors across the wire: the agent reports an Error's code as an ErrorKind (INTERNAL for codes
// without one), the gateway turns a kind back into the code (kSource for BUSY, VERSION, ...).
wire::ErrorKind::type ErrorKindOf(ErrorCode code);
ErrorCode ErrorCodeOf(wire::ErrorKind::type kind);

// What one message of the agent link may declare, checked by Thrift's protocol before it
// allocates: at most this many elements in a list (columns of a batch, operators and
// expressions of a fragment) and bytes in a string or binary (a column's buffer). Without
// them a hostile peer's declared count of 100 million columns made the reader allocate
// gigabytes (found by tests/fuzz/fuzz_batch). Both ends use them.
inline constexpr int32_t kWireContainerLimit = 1 << 16;
inline constexpr int32_t kWireStringLimit = 256 << 20;

// A batch as compact columnar buffers (see ColumnData in fedgate_agent.thrift).
wire::Batch EncodeBatch(const Batch& batch, bool last);
// Checks every buffer's size against the row count and the column's type; a malformed batch
// throws Error(kSource) naming `source`. `expected` are the column types the fragment promised.
Batch DecodeBatch(const wire::Batch& wire, const std::vector<DataType>& expected,
                  const std::string& source);

}  // namespace fedgate::agent
