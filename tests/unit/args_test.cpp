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

TEST(ArgParser, HelpWinsAnywhereButNotAsAValue) {
  std::ostringstream out;
  auto p = MakeParser();
  Argv a({"fedgate", "demo", "--bogus", "--help"});
  EXPECT_FALSE(p.Parse(a.argc(), a.argv(), 2, out));
  auto q = MakeParser();
  Argv b({"fedgate", "demo", "--name", "--help"});
  ASSERT_TRUE(q.Parse(b.argc(), b.argv(), 2, out));
  EXPECT_EQ(q.Get("name"), "--help");
}

TEST(ArgParser, Positionals) {
  std::ostringstream out;
  ArgParser one("audit verify", "Checks a log.");
  one.Positional("FILE", "The log");
  Argv a({"fedgate", "audit", "verify", "log.jsonl"});
  ASSERT_TRUE(one.Parse(a.argc(), a.argv(), 3, out));
  EXPECT_EQ(one.Positionals("FILE"), std::vector<std::string>{"log.jsonl"});
  EXPECT_NE(one.Usage().find("Usage: fedgate audit verify [options] FILE"), std::string::npos);

  ArgParser many("policy lint", "Checks files.");
  many.Positional("FILE", "Files", true).Flag("quiet", "Less");
  Argv b({"fedgate", "policy", "lint", "a.yaml", "--quiet", "b.yaml", "--", "--c.yaml"});
  ASSERT_TRUE(many.Parse(b.argc(), b.argv(), 3, out));
  EXPECT_EQ(many.Positionals("FILE"), (std::vector<std::string>{"a.yaml", "b.yaml", "--c.yaml"}));
  EXPECT_TRUE(many.GetFlag("quiet"));

  auto expect_error = [&](ArgParser p, std::vector<std::string> args, const std::string& fragment) {
    Argv v(std::move(args));
    try {
      p.Parse(v.argc(), v.argv(), 3, out);
      FAIL() << "expected an error containing " << fragment;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  ArgParser verify("audit verify", "Checks a log.");
  verify.Positional("FILE", "The log");
  expect_error(verify, {"fedgate", "audit", "verify"}, "FILE is missing");
  expect_error(verify, {"fedgate", "audit", "verify", "a", "b"}, "unexpected argument 'b'");
  expect_error(verify, {"fedgate", "audit", "verify", "-x", "a"}, "unknown option -x");
}

TEST(CommandGroup, DispatchesHelpsAndNamesMistakes) {
  int ran = 0;
  CommandGroup g("policy", "DSA files.");
  g.Add("lint", "Check files", [&](int argc, char**) {
    ran = argc;
    return 7;
  });
  std::ostringstream out, err;
  Argv run({"fedgate", "policy", "lint", "x"});
  EXPECT_EQ(g.Dispatch(run.argc(), run.argv(), 2, out, err), 7);
  EXPECT_EQ(ran, 4);

  Argv help({"fedgate", "policy", "--help"});
  EXPECT_EQ(g.Dispatch(help.argc(), help.argv(), 2, out, err), 0);
  EXPECT_NE(out.str().find("Usage: fedgate policy <command>"), std::string::npos);
  EXPECT_NE(out.str().find("  lint"), std::string::npos);

  Argv none({"fedgate", "policy"});
  EXPECT_EQ(g.Dispatch(none.argc(), none.argv(), 2, out, err), 2);
  EXPECT_NE(err.str().find("Usage: fedgate policy"), std::string::npos);

  for (const auto& [arg, fragment] : std::vector<std::pair<std::string, std::string>>{
           {"--bogus", "unknown option --bogus"}, {"lnit", "unknown command 'lnit'"}}) {
    Argv bad({"fedgate", "policy", arg});
    try {
      g.Dispatch(bad.argc(), bad.argv(), 2, out, err);
      FAIL() << arg;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace fedgate
