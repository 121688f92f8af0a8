#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "common/error.h"

namespace fedgate::audit {
namespace {

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fedgate-audit-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(AuditTest, ChainVerifiesAndPinpointsAChangedByte) {
  const std::string path = (dir_ / "audit.log").string();
  {
    AuditLog log(path);
    for (int i = 0; i < 10; ++i)
      log.Append({{"event", "query"}, {"n", i}, {"sql", "SELECT " + std::to_string(i)}});
  }
  {
    AuditLog log(path);  // reopening continues the chain
    log.Append({{"event", "query"}, {"n", 10}});
  }
  auto ok = VerifyAuditLog(path);
  EXPECT_TRUE(ok.ok) << ok.problem;
  EXPECT_EQ(ok.records, 11);

  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  // Change one byte inside record 4 (a digit of its "n").
  size_t line_start = 0;
  for (int i = 0; i < 3; ++i) line_start = text.find('\n', line_start) + 1;
  size_t at = text.find("\"n\":3", line_start);
  ASSERT_NE(at, std::string::npos);
  std::string tampered = text;
  tampered[at + 4] = '7';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << tampered;
  auto bad = VerifyAuditLog(path);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.first_bad, 4) << bad.problem;

  // The last record is covered by the head file.
  tampered = text;
  size_t last = text.rfind("\"n\":10");
  tampered[last + 5] = '1';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << tampered;
  bad = VerifyAuditLog(path);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.first_bad, 11) << bad.problem;

  // A removed record.
  tampered = text;
  size_t second = text.find('\n') + 1;
  tampered.erase(second, text.find('\n', second) + 1 - second);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << tampered;
  bad = VerifyAuditLog(path);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.first_bad, 2) << bad.problem;
}

// A process appending records is killed with SIGKILL at a random moment: every record whose
// Append returned (a result that would have been released) is in the log, and the log
// verifies; appending afterwards continues the chain.
TEST_F(AuditTest, SurvivesSigkillMidStream) {
  const std::string path = (dir_ / "audit.log").string();
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      AuditLog log(path);
      for (int64_t i = 0;; ++i) {
        log.Append(
            {{"event", "query"}, {"round", round}, {"i", i}, {"sql", std::string(200, 'x')}});
        if (::write(fds[1], &i, sizeof i) != sizeof i) ::_exit(3);  // released
      }
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + 70 * round));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    std::set<int64_t> released;
    int64_t i;
    while (::read(fds[0], &i, sizeof i) == sizeof i) released.insert(i);
    ::close(fds[0]);
    ASSERT_FALSE(released.empty());

    AuditLog reopened(path);  // repairs a torn tail, if any
    reopened.Append({{"event", "after-crash"}, {"round", round}});
    auto report = VerifyAuditLog(path);
    ASSERT_TRUE(report.ok) << report.problem << " at " << report.first_bad;
    std::set<int64_t> logged;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line);
      if (j.value("round", -1) == round && j.contains("i")) logged.insert(j["i"].get<int64_t>());
    }
    for (int64_t r : released)
      ASSERT_TRUE(logged.count(r)) << "released record " << r << " is missing";
  }
}

}  // namespace
}  // namespace fedgate::audit
