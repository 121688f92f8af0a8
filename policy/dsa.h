#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "disclosure/rules.h"

namespace fedgate::policy {

enum class OutputLevel { kAggregate, kPseudonymisedRecords };

struct Recipient {
  std::string role;
  std::string organisation;
};

// Which columns of one table a DSA shares: `all` (minus `except`) or a list.
struct DatasetRule {
  bool all = false;
  std::set<std::string> columns;
  std::set<std::string> except;
  bool Allows(const std::string& column) const {
    return all ? except.count(column) == 0 : columns.count(column) > 0;
  }
};

// Re-identification for direct care (DESIGN.md "Re-identification"): who may ask, for which
// purposes, through which source's agent, and how many persons.
struct ReidentificationRule {
  std::vector<Recipient> requesters;  // each also a recipient of the DSA
  std::vector<std::string> purposes;  // each also a purpose of the DSA
  std::string source;                 // whose registrations define the care relationship
  // A requester's organisation -> its code at the source (e.g. a practice code); an
  // organisation not listed is its own code.
  std::map<std::string, std::string> organisation_codes;
  int64_t max_persons_per_request = 50;
  int64_t max_persons_per_day = 200;  // per user, persons re-identified (UTC day)
  int64_t cohort_minutes = 15;        // how long the gateway keeps a cohort

  bool IsRequester(const std::string& role, const std::string& organisation) const;
  std::string CodeOf(const std::string& organisation) const {
    auto it = organisation_codes.find(organisation);
    return it == organisation_codes.end() ? organisation : it->second;
  }
};

// One data-sharing agreement (DESIGN.md "DSA policy file").
struct Dsa {
  std::string id;
  std::string title;
  std::string owner;
  std::string file;         // where it was loaded from
  std::string file_sha256;  // of the file's bytes, for audit records
  std::vector<std::string> parties;
  int32_t valid_from = 0;   // days since 1970-01-01, inclusive
  int32_t valid_until = 0;  // inclusive
  std::vector<std::string> purposes;
  std::vector<Recipient> recipients;
  std::map<std::string, DatasetRule> datasets;  // "source.table"
  OutputLevel level = OutputLevel::kAggregate;
  disclosure::Rules disclosure;
  std::string linkage_key = "person_id";
  std::vector<std::string> linkage_sources;
  std::optional<ReidentificationRule> reidentification;

  bool IsRecipient(const std::string& role, const std::string& organisation) const;
  bool HasPurpose(const std::string& purpose) const;
};

// Parses a DSA file's text. Errors are Error(kInvalidArgument) whose message starts with
// "FILE:LINE:COLUMN: " and says what is wrong.
Dsa ParseDsa(const std::string& text, const std::string& path);
Dsa LoadDsaFile(const std::string& path);

// The DSAs in force: every *.yaml file of a directory. Reload() re-reads them; a file that no
// longer parses is reported and its previous good version stays in force. Thread-safe.
class DsaRegistry {
 public:
  struct Problem {
    std::string file;
    std::string message;
  };
  struct ReloadReport {
    std::vector<std::string> loaded;  // DSA ids now in force from a good file
    std::vector<Problem> rejected;    // files refused (previous versions, if any, kept)
  };

  explicit DsaRegistry(std::string directory) : directory_(std::move(directory)) {}
  ReloadReport Reload();
  // Throws Error(kNotFound) naming the DSAs in force when `id` is unknown.
  std::shared_ptr<const Dsa> Get(const std::string& id) const;
  std::vector<std::string> Ids() const;
  const std::string& directory() const { return directory_; }

 private:
  std::string directory_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Dsa>> by_id_;
  std::map<std::string, std::string> id_of_file_;
};

}  // namespace fedgate::policy
