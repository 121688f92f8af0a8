#include "planner/function/functions.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>

#include "common/error.h"

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

// LIKE is the shared iterative matcher (common/like.h): the old recursive one took time
// exponential in the number of '%' — this pattern against this text did not finish.
TEST(FunctionsTest, LikeWithManyWildcardsIsNotExponential) {
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "%a";
  pattern += "%b";
  std::vector<Value> args = {Value::Text(std::string(400, 'a')), Value::Text(pattern)};
  EXPECT_FALSE(EvaluateCall("like", DataType::Bool(), args).i);
  args = {Value::Text(std::string(400, 'a') + "b"), Value::Text(pattern)};
  EXPECT_TRUE(EvaluateCall("like", DataType::Bool(), args).i);
  args = {Value::Text("DIABETES"), Value::Text("diab%")};
  EXPECT_TRUE(EvaluateCall("ilike", DataType::Bool(), args).i);
  args = {Value::Text("50%"), Value::Text("50\\%")};
  EXPECT_TRUE(EvaluateCall("like", DataType::Bool(), args).i);
  args = {Value::Text("500"), Value::Text("50\\%")};
  EXPECT_FALSE(EvaluateCall("like", DataType::Bool(), args).i);
}

// Found by fuzzing: interval text whose number has no digit, or whose fields overflow, is an
// SQL error (it was std::invalid_argument out of std::stod, and signed overflow).
TEST(FunctionsTest, IntervalInputErrorsAreSqlErrors) {
  for (const char* bad : {". days", "-. hours", "+.", "99999999999 years", "3000000000 days",
                          "99999999999999 hours", "2147483647:00 2147483647:00"}) {
    try {
      ParseInterval(bad);
      ADD_FAILURE() << bad << " parsed";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << bad;
    }
  }
  EXPECT_EQ(ParseInterval("1 year 2 months").months, 14);
  EXPECT_EQ(ParseInterval("1 day 02:00:00").micros, 2LL * 3600 * 1000000);
  EXPECT_EQ(ParseInterval("1.5 days").days, 1);
}

TEST(FunctionsTest, OverflowingTextCastsAreSqlErrors) {
  for (auto [text, type] : std::vector<std::pair<std::string, DataType>>{
           {"123456789012345678901234.5", DataType::Decimal(2)},
           {"2020-01-01 00:99999999999", DataType::Timestamp()},
           {"2020-01-01 25:00", DataType::Timestamp()}}) {
    try {
      CastValue(Value::Text(text), type);
      ADD_FAILURE() << text << " cast";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << text;
    }
  }
  EXPECT_EQ(CastValue(Value::Text("2020-01-01 24:00:00"), DataType::Timestamp()).i,
            CastValue(Value::Text("2020-01-02"), DataType::Timestamp()).i);
}

// substr with a start near the largest bigint: the end position overflowed (UB).
TEST(FunctionsTest, SubstrNearInt64MaxIsEmpty) {
  std::vector<Value> args = {Value::Text("abc"), Value::Int(INT64_MAX - 1), Value::Int(10)};
  EXPECT_EQ(EvaluateCall("substr", DataType::Text(), args).s, "");
}

}  // namespace
}  // namespace fedgate::planner
