// Writes the binary seed corpora: for each SQL file in IN_DIR, the structured fragments the
// planner sends to mental_health (OUT/fragment/), and wire batches of every column type
// (OUT/batch/, the first byte naming the promised type as fuzz_batch.cpp reads it).
//   fuzz_seeds IN_DIR OUT_DIR

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/error.h"
#include "connectors/agent/wire_batch.h"
#include "engine/query_engine.h"
#include "planner/value.h"
#include "tests/fuzz/fuzz_catalog.h"

namespace fs = std::filesystem;
using namespace fedgate;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_seeds IN_DIR OUT_DIR\n";
    return 2;
  }
  const fs::path in(argv[1]), out(argv[2]);
  fs::create_directories(out / "fragment");
  fs::create_directories(out / "batch");
  auto config = fuzz::FuzzConfig();
  engine::QueryEngine engine(config, fuzz::FuzzCatalog(config));
  int fragments = 0;
  for (const auto& e : fs::directory_iterator(in)) {
    std::ifstream f(e.path());
    std::stringstream sql;
    sql << f.rdbuf();
    try {
      for (const auto& fragment : engine.Explain(sql.str()).fragments) {
        if (fragment.structured.empty()) continue;
        std::ofstream(out / "fragment" / (std::to_string(fragments++) + ".bin"), std::ios::binary)
            << fragment.structured;
      }
    } catch (const Error&) {
    }
  }
  // Batches: one column of each type the decoder knows, three rows, one of them NULL.
  const std::vector<DataType> types = {
      DataType::Pseudonym(), DataType::Int64(),     DataType::Text(),
      DataType::Date(),      DataType::Decimal(2),  DataType::Double(),
      DataType::Bool(),      DataType::Timestamp(), DataType::Interval()};
  for (size_t t = 0; t < types.size(); ++t) {
    Batch batch;
    batch.columns.emplace_back(types[t]);
    for (int r = 0; r < 3; ++r) {
      if (r == 1) {
        batch.columns[0].AppendNull();
      } else if (types[t].id == TypeId::kText) {
        planner::AppendValue(batch.columns[0], planner::Value::Text("row " + std::to_string(r)));
      } else if (types[t].id == TypeId::kPseudonym) {
        Pseudonym p{};
        p.bytes[0] = static_cast<uint8_t>(r);
        batch.columns[0].null.push_back(0);
        batch.columns[0].pseudo.push_back(p);
      } else if (types[t].id == TypeId::kDouble) {
        planner::AppendValue(batch.columns[0], planner::Value::Double(r * 1.5));
      } else if (types[t].id == TypeId::kInterval) {
        batch.columns[0].null.push_back(0);
        batch.columns[0].ivl.push_back({});
      } else {
        batch.columns[0].null.push_back(0);
        batch.columns[0].i64.push_back(r * 7);
      }
    }
    batch.rows = 3;
    auto wire = agent::EncodeBatch(batch, true);
    auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
    apache::thrift::protocol::TBinaryProtocol protocol(buffer);
    wire.write(&protocol);
    std::ofstream(out / "batch" / (std::to_string(t) + ".bin"), std::ios::binary)
        << static_cast<char>(t << 2) << buffer->getBufferAsString();
  }
  std::cout << fragments << " fragment seeds, " << types.size() << " batch seeds\n";
  return 0;
}
