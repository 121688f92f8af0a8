#include "common/args.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "common/error.h"

namespace fedgate {
namespace {

struct Argv {
  explicit Argv(std::vector<std::string> a) : args(std::move(a)) {
    for (auto& s : args) ptrs.push_back(s.data());
  }
  int argc() { return static_cast<int>(ptrs.size()); }
  char** argv() { return ptrs.data(); }
  std::vector<std::string> args;
  std::vector<char*> ptrs;
};

ArgParser MakeParser() {
  ArgParser p("demo", "A demo command.");
  p.Option("persons", "N", "How many", "10")
      .Option("name", "TEXT", "Required name", {}, true)
      .Flag("force", "Force");
  return p;
}

TEST(ArgParser, ParsesBothFormsAndDefaults) {
  auto p = MakeParser();
  Argv a({"fedgate", "demo", "--name", "x", "--force"});
  std::ostringstream out;
  ASSERT_TRUE(p.Parse(a.argc(), a.argv(), 2, out));
  EXPECT_EQ(p.Get("name"), "x");
  EXPECT_EQ(p.GetInt("persons"), 10);
  EXPECT_TRUE(p.GetFlag("force"));

  auto q = MakeParser();
  Argv b({"fedgate", "demo", "--name=y", "--persons=7"});
  ASSERT_TRUE(q.Parse(b.argc(), b.argv(), 2, out));
  EXPECT_EQ(q.Get("name"), "y");
  EXPECT_EQ(q.GetInt("persons"), 7);
  EXPECT_FALSE(q.GetFlag("force"));
}

TEST(ArgParser, ErrorsNameTheOption) {
  std::ostringstream out;
  auto expect_error = [&](std::vector<std::string> args, const std::string& fragment) {
    auto p = MakeParser();
    Argv a(std::move(args));
    try {
      p.Parse(a.argc(), a.argv(), 2, out);
      p.GetInt("persons");
      FAIL() << "expected an error containing " << fragment;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_error({"fedgate", "demo", "--bogus"}, "unknown option --bogus");
  expect_error({"fedgate", "demo", "--name"}, "--name needs a value");
  expect_error({"fedgate", "demo"}, "--name is required");
  expect_error({"fedgate", "demo", "--name", "x", "--persons", "ten"},
               "--persons must be a whole number");
  expect_error({"fedgate", "demo", "stray"}, "unexpected argument 'stray'");
}

TEST(ArgParser, HelpPrintsUsage) {
  auto p = MakeParser();
  Argv a({"fedgate", "demo", "--help"});
  std::ostringstream out;
  EXPECT_FALSE(p.Parse(a.argc(), a.argv(), 2, out));
  EXPECT_NE(out.str().find("Usage: fedgate demo"), std::string::npos);
  EXPECT_NE(out.str().find("--persons N"), std::string::npos);
  EXPECT_NE(out.str().find("(default: 10)"), std::string::npos);
}

}  // namespace
}  // namespace fedgate
