#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "datagen/schema.h"

namespace fedgate::datagen {

// Where the generator writes, as given on the command line.
struct Targets {
  std::string postgres;    // libpq conninfo for the server holding gp, acute, mental_health
  std::string mariadb;     // ODBC connection string (no Database=) for social_care
  std::string sqlite_dir;  // directory for community.db
  std::string db_suffix;   // appended to each database name (tests load side by side)
};

// What a finished load records, so that a re-run with the same seed, size and model
// reuses the data instead of writing it again.
struct LoadMarker {
  uint64_t seed = 0;
  uint32_t persons = 0;
  std::string model;  // fingerprint of the generator's output (ModelFingerprint)
  bool operator==(const LoadMarker&) const = default;
};

// Identifier counts for a provider's summary: each distinct raw identifier value as stored
// (NULL as nullopt) with the number of records carrying it.
struct IdentifierCount {
  std::optional<std::string> raw;
  int64_t records;
};

// One provider's database. Implementations open their own connections; one instance is
// used by one thread at a time, but separate instances for the same provider may load
// different tables concurrently when ParallelTables() says so.
class ProviderStore {
 public:
  virtual ~ProviderStore() = default;

  // Human-readable location, e.g. "postgresql 127.0.0.1:5432/gp".
  virtual std::string Describe() const = 0;
  // True when tables may be loaded by separate instances at the same time.
  virtual bool ParallelTables() const = 0;
  // Creates the database if missing. Returns the marker of a complete earlier load, if any.
  virtual std::optional<LoadMarker> Open() = 0;
  // Drops the marker and every table of the provider. REQUIRES: Open().
  virtual void Clear() = 0;
  // Creates, fills and indexes one table; returns the rows written. `progress` (may be
  // null) is incremented per row as it is written. REQUIRES: Open().
  virtual int64_t LoadTable(const TableDef& table, const std::vector<Person>& people, uint64_t seed,
                            std::atomic<int64_t>* progress) = 0;
  // Records a complete load. Called once all tables are loaded.
  virtual void WriteMarker(const LoadMarker& marker) = 0;
  // Row count of a loaded table.
  virtual int64_t CountRows(const TableDef& table) = 0;
  // Records per identifier value, for the linkage summary. For social_care services the
  // identifier comes from clients.
  virtual std::vector<IdentifierCount> CountIdentifiers(const TableDef& table) = 0;
};

std::unique_ptr<ProviderStore> MakeStore(Provider provider, const Targets& targets);

}  // namespace fedgate::datagen
