#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "datagen/schema.h"
#include "datagen/store.h"

namespace fedgate::datagen {

struct DatagenOptions {
  uint64_t seed = 42;
  uint32_t persons = 120000;
  std::vector<Provider> providers{std::begin(kAllProviders), std::end(kAllProviders)};
  int jobs = 2;          // tables loaded at once
  bool force = false;    // reload even when the same seed, size and model are there
  bool progress = true;  // progress lines on the log stream while loading
};

struct TableSummary {
  std::string name;
  int64_t rows = 0;
  double seconds = 0;  // 0 when reused
};

struct ProviderSummary {
  Provider provider;
  std::string where;
  bool reused = false;
  std::vector<TableSummary> tables;
  int64_t persons = 0;           // distinct valid NHS numbers
  int64_t person_records = 0;    // records that should carry a person's identifier
  int64_t linkable_records = 0;  // ... of which carry a valid one
};

struct DatagenReport {
  std::vector<ProviderSummary> providers;
  double seconds = 0;
};

// Generates the population for `options` and loads every requested provider, reusing a
// provider whose earlier load has the same seed, size and model fingerprint. Progress goes
// to `log`. Throws Error naming the provider on any failure; a failed provider keeps no
// completion marker, so the next run loads it again.
DatagenReport RunDatagen(const DatagenOptions& options, const Targets& targets, std::ostream& log);

// Per-provider table, rows, persons and linkable share.
void PrintReport(const DatagenReport& report, std::ostream& out);

// A fingerprint of what the generator writes for `seed`: a hash of every table's rows for
// the first few hundred persons. Changes whenever the model changes.
std::string ModelFingerprint(uint64_t seed);

// Parses "gp,acute" into providers; throws Error(kInvalidArgument) on an unknown name.
std::vector<Provider> ParseProviders(const std::string& list);

}  // namespace fedgate::datagen
