#include "connectors/postgres/pg_copy_writer.h"

#include <gtest/gtest.h>

namespace fedgate::connectors::pg {
namespace {

// Reads the big-endian int16 words of an encoded numeric.
std::vector<int> Words(const std::string& bytes) {
  std::vector<int> out;
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
    out.push_back(static_cast<int16_t>((static_cast<uint8_t>(bytes[i]) << 8) |
                                       static_cast<uint8_t>(bytes[i + 1])));
  }
  return out;
}

TEST(PgCopyWriter, EncodesNumericLikePostgres) {
  // ndigits, weight, sign, dscale, digits (base 10000)
  EXPECT_EQ(Words(PgCopyWriter::EncodeNumeric(12345, 2)),
            (std::vector<int>{2, 0, 0, 2, 123, 4500}));
  EXPECT_EQ(Words(PgCopyWriter::EncodeNumeric(0, 2)), (std::vector<int>{0, 0, 0, 2}));
  EXPECT_EQ(Words(PgCopyWriter::EncodeNumeric(5, 2)), (std::vector<int>{1, -1, 0, 2, 500}));
  EXPECT_EQ(Words(PgCopyWriter::EncodeNumeric(-100000000, 2)),
            (std::vector<int>{1, 1, 0x4000, 2, 100}));
  EXPECT_EQ(Words(PgCopyWriter::EncodeNumeric(123456789012, 2)),
            (std::vector<int>{4, 2, 0, 2, 12, 3456, 7890, 1200}));  // 1234567890.12
}

}  // namespace
}  // namespace fedgate::connectors::pg
