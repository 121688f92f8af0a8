#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "policy/dsa.h"
#include "policy/gate.h"

namespace fedgate::policy {
namespace {

const char* kGood = R"(dsa: t-1
owner: icb
parties: [gp, acute]
valid: {from: 2025-04-01, until: 2026-03-31}
purposes: [cost-analysis]
recipients:
  - {role: analyst, organisation: pmo}
datasets:
  gp.patients: {columns: [person_id, sex]}
  acute.admissions: {columns: all, except: [hrg_code]}
output:
  level: aggregate
  min_persons: 10
  rounding: {base: 5}
  perturbation: cell-key
  dominance: {n: 2, k: 85}
  extremes: deny
linkage: {key: person_id, sources: [gp, acute]}
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

// The message of the error ParseDsa raises for `text`.
std::string ErrorOf(const std::string& text) {
  try {
    ParseDsa(text, "t.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(DsaTest, ParsesEveryField) {
  Dsa d = ParseDsa(kGood, "t.yaml");
  EXPECT_EQ(d.id, "t-1");
  EXPECT_TRUE(d.IsRecipient("analyst", "pmo"));
  EXPECT_FALSE(d.IsRecipient("analyst", "other"));
  EXPECT_TRUE(d.HasPurpose("cost-analysis"));
  EXPECT_TRUE(d.datasets.at("gp.patients").Allows("sex"));
  EXPECT_FALSE(d.datasets.at("gp.patients").Allows("date_of_birth"));
  EXPECT_TRUE(d.datasets.at("acute.admissions").Allows("cost"));
  EXPECT_FALSE(d.datasets.at("acute.admissions").Allows("hrg_code"));
  EXPECT_EQ(d.disclosure.min_persons, 10);
  EXPECT_EQ(d.disclosure.rounding.kind, disclosure::Rounding::Kind::kBase);
  EXPECT_EQ(d.disclosure.rounding.base, 5);
  EXPECT_TRUE(d.disclosure.cell_key_perturbation);
  EXPECT_EQ(d.disclosure.dominance_n, 2);
  EXPECT_FALSE(d.disclosure.extremes_allowed);
  EXPECT_EQ(d.file_sha256.size(), 64u);
}

TEST(DsaTest, LintWarnsOfIdsBiToolsCannotWriteUnquoted) {
  Dsa d;
  d.id = "somerset-demo";
  d.disclosure.cell_key_perturbation = true;  // (else the differencing warning comes too)
  auto warnings = DsaWarnings(d);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("'somerset_demo'"), std::string::npos) << warnings[0];
  d.id = "somerset_demo_2";
  EXPECT_TRUE(DsaWarnings(d).empty());
}

// Thresholds and rounding alone do not stop differencing (tests/policy/differencing_test.cpp).
TEST(DsaTest, LintWarnsOfDsasWithoutPerturbation) {
  Dsa d;
  d.id = "plain";
  auto warnings = DsaWarnings(d);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("differencing"), std::string::npos) << warnings[0];
  d.disclosure.cell_key_perturbation = true;
  EXPECT_TRUE(DsaWarnings(d).empty());
}

TEST(DsaTest, ReadsTheOutputCheckingRules) {
  Dsa d = ParseDsa(Replace(kGood, "extremes: deny",
                           "extremes: deny\n  p_ratio: 0.10\n  zeros: disclosive\n"
                           "  redact_at_or_below: 7\n  means: {min_persons: 25}"),
                   "t.yaml");
  EXPECT_DOUBLE_EQ(d.disclosure.p_ratio, 0.10);
  EXPECT_TRUE(d.disclosure.zeros_disclosive);
  EXPECT_EQ(d.disclosure.redact_at_or_below, 7);
  EXPECT_EQ(d.disclosure.mean_min_persons, 25);
  EXPECT_EQ(ErrorOf(Replace(kGood, "extremes: deny", "extremes: deny\n  p_ratio: 2")),
            "t.yaml:18:12: output.p_ratio must be between 0.01 and 0.5 (e.g. 0.10), got 2");
  EXPECT_EQ(ErrorOf(Replace(kGood, "extremes: deny", "extremes: deny\n  zeros: maybe")),
            "t.yaml:18:10: output.zeros must be disclosive or safe, got 'maybe'");
}

// Found by fuzzing: a mapping where a text was expected threw yaml-cpp's own exception, which
// nothing caught (tests/fuzz/regressions/config).
// A direct-care DSA: records level, a GP user as recipient and requester.
std::string DirectCare(const std::string& section) {
  std::string text = Replace(kGood, "level: aggregate", "level: pseudonymised-records");
  text = Replace(text, "purposes: [cost-analysis]", "purposes: [cost-analysis, direct-care]");
  text = Replace(text, "  - {role: analyst, organisation: pmo}\n",
                 "  - {role: analyst, organisation: pmo}\n  - {role: direct-care, organisation: "
                 "practice-1}\n");
  return text + section;
}

TEST(DsaTest, ReadsTheReidentificationRule) {
  Dsa d = ParseDsa(DirectCare(R"(reidentification:
  requesters: [{role: direct-care, organisation: practice-1}]
  purposes: [direct-care]
  source: gp
  organisation_codes: {practice-1: SSP01}
  limits: {persons_per_request: 20, persons_per_day: 60}
  cohort_minutes: 5
)"),
                   "t.yaml");
  ASSERT_TRUE(d.reidentification);
  const auto& r = *d.reidentification;
  EXPECT_TRUE(r.IsRequester("direct-care", "practice-1"));
  EXPECT_FALSE(r.IsRequester("analyst", "pmo"));
  EXPECT_EQ(r.CodeOf("practice-1"), "SSP01");
  EXPECT_EQ(r.CodeOf("SSP02"), "SSP02");
  EXPECT_EQ(r.source, "gp");
  EXPECT_EQ(r.max_persons_per_request, 20);
  EXPECT_EQ(r.max_persons_per_day, 60);
  EXPECT_EQ(r.cohort_minutes, 5);
  EXPECT_FALSE(ParseDsa(kGood, "t.yaml").reidentification);
}

TEST(DsaTest, ReidentificationErrorsNameTheRule) {
  const std::string ok = R"(reidentification:
  requesters: [{role: direct-care, organisation: practice-1}]
  purposes: [direct-care]
  source: gp
)";
  // An aggregate-only DSA never releases a list of persons.
  EXPECT_NE(ErrorOf(Replace(DirectCare(ok), "level: pseudonymised-records", "level: aggregate"))
                .find("reidentification needs output.level pseudonymised-records"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(DirectCare(ok), "organisation: practice-1}]", "organisation: x}]"))
                .find("t.yaml:21:16: requester {role: direct-care, organisation: x} is not one "
                      "of the recipients"),
            std::string::npos)
      << ErrorOf(Replace(DirectCare(ok), "organisation: practice-1}]", "organisation: x}]"));
  EXPECT_NE(ErrorOf(Replace(DirectCare(ok), "purposes: [direct-care]", "purposes: [audit]"))
                .find("purpose 'audit' is not one of the DSA's purposes"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(DirectCare(ok), "source: gp", "source: pharmacy"))
                .find("reidentification.source 'pharmacy' is not one of the parties"),
            std::string::npos);
  EXPECT_NE(ErrorOf(DirectCare(ok + "  limits: {persons_per_request: 50, persons_per_day: 10}\n"))
                .find("persons_per_day is below persons_per_request"),
            std::string::npos);
}

TEST(DsaTest, AValueOfTheWrongKindIsALocatedError) {
  const std::string text = Replace(kGood, "  gp.patients: {columns: [person_id, sex]}",
                                   "  {gp.patients: 1}: {columns: [person_id, sex]}");
  try {
    ParseDsa(text, "t.yaml");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(std::string(e.what()).rfind("t.yaml:9:", 0), 0u) << e.what();
  }
}

TEST(DsaTest, ErrorsSayWhereAndWhat) {
  EXPECT_EQ(ErrorOf(Replace(kGood, "until: 2026-03-31", "until: 2024-03-31")),
            "t.yaml:4:34: valid.until is before valid.from");
  EXPECT_EQ(ErrorOf(Replace(kGood, "min_persons: 10", "min_persons: ten")),
            "t.yaml:13:16: output.min_persons must be a whole number, got 'ten'");
  EXPECT_EQ(ErrorOf(Replace(kGood, "level: aggregate", "level: everything")),
            "t.yaml:12:10: output.level must be 'aggregate' or 'pseudonymised-records', got "
            "'everything'");
  EXPECT_EQ(ErrorOf(Replace(kGood, "  gp.patients:", "  community.contacts:")),
            "t.yaml:9:3: dataset 'community.contacts' comes from 'community', which is not one of "
            "the parties");
  EXPECT_EQ(ErrorOf(Replace(kGood, "purposes:", "purpose:")).substr(0, 43),
            "t.yaml:5:1: the DSA: unknown key 'purpose' ");
  EXPECT_EQ(ErrorOf(Replace(kGood, "rounding: {base: 5}", "rounding: {base: 1}")),
            "t.yaml:14:20: output.rounding.base must be between 2 and 1000, got 1");
  EXPECT_EQ(ErrorOf(Replace(kGood, "extremes: deny", "extremes: maybe")),
            "t.yaml:17:13: output.extremes must be allow or deny, got 'maybe'");
  EXPECT_EQ(ErrorOf(Replace(kGood, "extremes: deny", "extremes: deny\n  unlinked_records: all")),
            "t.yaml:18:21: output.unlinked_records must be count or exclude, got 'all'");
  EXPECT_EQ(ErrorOf("dsa: [unclosed\n"), "t.yaml:2:1: end of sequence flow not found");
  EXPECT_EQ(ErrorOf(""), "t.yaml:1:1: the file is empty");
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fedgate-dsa-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(RegistryTest, BadFileKeepsPreviousVersionInForce) {
  Write("t1.yaml", kGood);
  DsaRegistry registry(dir_.string());
  auto first = registry.Reload();
  ASSERT_EQ(first.loaded, std::vector<std::string>{"t-1"});
  EXPECT_EQ(registry.Get("t-1")->disclosure.min_persons, 10);

  Write("t1.yaml", Replace(kGood, "min_persons: 10", "min_persons: 0"));
  auto second = registry.Reload();
  ASSERT_EQ(second.rejected.size(), 1u);
  EXPECT_NE(second.rejected[0].message.find("t1.yaml:13:16: output.min_persons must be between 1"),
            std::string::npos)
      << second.rejected[0].message;
  EXPECT_EQ(registry.Get("t-1")->disclosure.min_persons, 10)
      << "the previous good version stays in force";

  Write("t1.yaml", Replace(kGood, "min_persons: 10", "min_persons: 20"));
  registry.Reload();
  EXPECT_EQ(registry.Get("t-1")->disclosure.min_persons, 20);

  std::filesystem::remove(dir_ / "t1.yaml");
  registry.Reload();
  EXPECT_THROW(registry.Get("t-1"), Error) << "a removed DSA is no longer in force";
}

TEST_F(RegistryTest, DuplicateIdIsRejected) {
  Write("a.yaml", kGood);
  Write("b.yaml", kGood);
  DsaRegistry registry(dir_.string());
  auto report = registry.Reload();
  EXPECT_EQ(report.loaded.size(), 1u);
  ASSERT_EQ(report.rejected.size(), 1u);
  EXPECT_NE(report.rejected[0].message.find("also defined in"), std::string::npos);
}

}  // namespace
}  // namespace fedgate::policy
