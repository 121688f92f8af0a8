#include "planner/functions.h"

#include <gtest/gtest.h>

#include <map>

namespace fedgate::planner {
namespace {

// The evaluator dispatches on FnHash(name): two names with one hash would run the wrong code.
TEST(FunctionsTest, FunctionNameHashesAreDistinct) {
  std::map<uint64_t, std::string> seen;
  ASSERT_GT(KnownFunctionNames().size(), 40u);
  for (const auto& name : KnownFunctionNames()) {
    auto [it, inserted] = seen.emplace(FnHash(name), name);
    EXPECT_TRUE(inserted) << name << " and " << it->second << " share a hash";
  }
}

TEST(FunctionsTest, EvaluatesByName) {
  std::vector<Value> args = {Value::Int(7), Value::Int(2)};
  EXPECT_EQ(EvaluateCall("/", DataType::Int64(), args).i, 3);  // integer division, as PostgreSQL
  EXPECT_EQ(EvaluateCall("%", DataType::Int64(), args).i, 1);
  EXPECT_EQ(EvaluateCall("<", DataType::Bool(), args).i, 0);
  std::vector<Value> null_arg = {Value::Null(DataType::Int64()), Value::Int(2)};
  EXPECT_TRUE(EvaluateCall("+", DataType::Int64(), null_arg).null);
}

// Case mapping is Unicode-aware, as PostgreSQL's under a UTF-8 locale; bytes that are not
// UTF-8 pass through.
TEST(FunctionsTest, UpperAndLowerMapUnicode) {
  auto call = [](const char* fn, const std::string& s) {
    std::vector<Value> args = {Value::Text(s)};
    return EvaluateCall(fn, DataType::Text(), args).s;
  };
  EXPECT_EQ(call("upper", "café Zürich ελληνικά"), "CAFÉ ZÜRICH ΕΛΛΗΝΙΚΆ");
  EXPECT_EQ(call("lower", "ŁÓDŹ İ"), "łódź i");
  EXPECT_EQ(call("upper", "日本 😀"), "日本 😀");
  EXPECT_EQ(call("upper", std::string("a\xff\xc3")), std::string("A\xff\xc3"));
}

}  // namespace
}  // namespace fedgate::planner
