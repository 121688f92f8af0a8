#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fedgate::config {

struct TableConfig {
  std::string name;
  std::string identifier;  // raw identifier column, exposed as person_id; "" for none
  // When the identifier lives in another table of the same source (social_care.services
  // takes its NHS number from clients): that table and the key column both tables share.
  // The source itself joins them (a LEFT JOIN, so rows without a match keep a NULL person).
  std::string through_table;
  std::string through_key;
  // Only these columns are exposed (an agent's export manifest); empty: all of them.
  std::vector<std::string> columns;
};

struct SourceConfig {
  std::string name;
  std::string kind;        // "postgres" or "odbc"
  std::string connection;  // libpq conninfo for postgres, an ODBC connection string for odbc
  std::string dialect;     // odbc: mariadb, sqlite, sqlserver or postgresql
  int pool_size = 4;
  // kind agent: the agent's address and this gateway's side of the mutual TLS.
  std::string agent_host;
  int agent_port = 0;
  std::string tls_ca, tls_certificate, tls_key;
  std::map<std::string, TableConfig> tables;
};

// The gateway's configuration file (YAML). Values may use ${VAR} for environment variables.
struct GatewayConfig {
  std::string path;
  int64_t min_persons = 10;         // output groups with fewer distinct persons are suppressed
  int64_t memory_budget_mb = 2048;  // per query
  int query_timeout_seconds = 600;  // 0: none
  std::string dsa = "default";      // the DSA pseudonyms are keyed for (until DSA files)
  std::string linkage_secret;       // resolved secret bytes (never printed)
  // Keys the gateway's own derived values (cell-key record keys, re-keyed output pseudonyms);
  // "" for the linkage secret (or, without one, a random key per process).
  std::string gateway_secret;
  std::map<std::string, SourceConfig> sources;
  // Data-sharing agreements: the directory of DSA files, the users who may query (role and
  // organisation, matched against a DSA's recipients), and the audit trail. Two roles are
  // more than a recipient role: "dsa-owner" may validate, replace and audit the DSAs whose
  // owner is the user's organisation, "admin" may do so for every DSA.
  std::string dsa_dir;
  struct User {
    std::string role;
    std::string organisation;
    std::string password_hash;  // pbkdf2-sha256$... (see fedgate passwd); empty: no HTTP login
    std::string purpose;        // used when a request names none ("": requests must name one)
  };
  std::map<std::string, User> users;
  std::string audit_log;
  // HTTPS for fedgate serve: PEM certificate (chain) and private key ("" for plain HTTP).
  std::string tls_certificate;
  std::string tls_key;
  // For `fedgate agent`: where it listens, which of `sources` it serves, its side of the
  // mutual TLS and the gateways (certificate common names) it accepts.
  struct Agent {
    std::string listen_host;
    int listen_port = 0;
    std::string source;
    std::string tls_ca, tls_certificate, tls_key;
    std::vector<std::string> allowed_gateways;
    int max_scans = 8;
  };
  bool has_agent = false;
  Agent agent;
  // Re-identification for direct care (DESIGN.md "Re-identification").
  // Gateway: the Ed25519 private key (PEM) it signs re-identification requests with; "" for a
  // gateway that cannot re-identify.
  std::string reidentification_key;
  // Agent: what the provider allows. `gateway_key` is the gateway's Ed25519 public key; the
  // care relationship is a row of `table` whose `organisation_column` holds the requester's
  // organisation code; `local_id_column` is returned beside the NHS number.
  struct Reidentification {
    std::string gateway_key;
    std::string table;
    std::string organisation_column;
    std::string local_id_column;
    // DSA -> the purposes and organisation codes (empty: any) re-identified for: the
    // provider's own decision, whatever the gateway's DSA files say.
    struct Allow {
      std::vector<std::string> purposes;
      std::vector<std::string> organisations;
    };
    std::map<std::string, Allow> allow;
    int max_persons = 500;           // per request
    int max_persons_per_day = 2000;  // per organisation code, persons re-identified (UTC day)
    int max_age_seconds = 120;       // how old a signed request may be
  };
  bool has_reidentification = false;
  Reidentification reidentification;
};

// Loads and validates a config file. Errors are Error(kInvalidArgument) whose message starts
// with "FILE:LINE:COLUMN: " and says what is wrong, e.g. an unknown key, a missing
// environment variable, min_persons below 1.
GatewayConfig LoadConfig(const std::string& path);
// The same from text (tests); `path` only names it in messages.
GatewayConfig ParseConfig(const std::string& text, const std::string& path);

}  // namespace fedgate::config
