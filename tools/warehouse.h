#pragma once

// The alternatives fedgate is measured against (and checked by), built from the same five
// Somerset providers that `fedgate datagen` loads:
//
// - a central warehouse: every provider's tables copied into one PostgreSQL database, one
//   schema per provider, the NHS number replaced by the pseudonym fedgate's connectors compute
//   (the differential SQL tests' reference database is one, and so is the benchmark's
//   `central`);
// - a postgres_fdw hub: a PostgreSQL database whose foreign tables read pseudonymising views
//   at each provider (the ODBC providers copied into PostgreSQL databases of their own first,
//   since postgres_fdw reads only PostgreSQL).
//
// Either way the same SQL that fedgate takes (`gp.patients`, `social_care.services`, ...)
// runs there unchanged.

#include <functional>
#include <string>

#include "common/pseudonymiser.h"

namespace fedgate::tools {

// Where the providers are (tests/harness/sources).
struct ProviderLocations {
  // libpq conninfo of the PostgreSQL server as its admin user, without dbname: it holds gp,
  // acute and mental_health, and the baselines are built on it.
  std::string pg_conninfo;
  std::string social_care_odbc;  // ODBC connection string of MariaDB's social_care database
  std::string community_odbc;    // ODBC connection string of community's SQLite file
};

// Progress lines ("central: gp.patients 1000000 rows in 1.2 s").
using Progress = std::function<void(const std::string&)>;

// What `fedgate datagen` loaded, from each provider's fedgate_datagen marker table (seed,
// size, model and load time): equal fingerprints mean equal data.
std::string ProvidersFingerprint(const ProviderLocations& where);

struct WarehouseOptions {
  // Also copy each ODBC provider's `notes` table (the SQL tests make them).
  bool with_notes = false;
  // Readers granted SELECT on every schema ("" for none).
  std::string grant_to;
};

// Drops and makes `database` with schemas gp, acute, mental_health, social_care and community,
// each table holding the provider's columns with nhs_number replaced by
// `person_id bytea` = pseudonymiser.FromRaw(nhs_number) (NULL when invalid or missing);
// social_care.services gets person_id from clients through client_id, as fedgate's
// configuration has the council's database join it. Text from the ODBC providers is read as
// HEX() so the copy holds the bytes the DBMS stores. Every table is analysed.
void BuildWarehouse(const ProviderLocations& where, const std::string& database,
                    const Pseudonymiser& pseudonymiser, const WarehouseOptions& options,
                    const Progress& progress);

struct HubOptions {
  std::string database = "hub";
  // The views at the providers key their pseudonyms as fedgate does for `dsa`, deriving the
  // key from the linkage secret in SQL (pgcrypto): HMAC-SHA256(HKDF(secret, dsa), number).
  std::string linkage_secret;
  std::string dsa;
  int fetch_size = 10000;  // rows per round trip (postgres_fdw's default is 100)
};

// Builds the postgres_fdw hub: social_care and community copied as they are (NHS numbers
// included) into PostgreSQL databases social_care_copy and community_copy; in each of the five
// PostgreSQL provider databases a schema `hub_export` of views that replace nhs_number by its
// pseudonym; and `options.database` with one foreign server per provider (use_remote_estimate,
// fetch_size, async_capable) whose views are imported as schemas named after the providers,
// then analysed. Checks that the views' pseudonyms equal `check`'s for sampled rows of every
// provider (so the hub links as fedgate does), and throws if not.
void BuildFdwHub(const ProviderLocations& where, const HubOptions& options,
                 const Pseudonymiser& check, const Progress& progress);

// Points a hub built earlier at the providers' server as it is now (host, port and password
// of its foreign servers and user mappings: the harness picks new ports on every start).
void ReconnectFdwHub(const ProviderLocations& where, const HubOptions& options);

// Records `stamp` in `database` (a one-row table fedgate_baseline), and reads it back ("" when
// the database or the table is missing), so a benchmark can reuse baselines built from the same
// data.
void WriteStamp(const ProviderLocations& where, const std::string& database,
                const std::string& stamp);
std::string ReadStamp(const ProviderLocations& where, const std::string& database);

}  // namespace fedgate::tools
