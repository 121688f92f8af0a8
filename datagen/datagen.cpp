#include "datagen/datagen.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/nhs_number.h"

namespace fedgate::datagen {

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// FNV-1a over every value a generator writes, with a type tag per value.
class HashSink : public RowSink {
 public:
  void BeginRow() override { Mix("R", 1); }
  void Null() override { Mix("N", 1); }
  void Int(int64_t v) override { Tagged('I', &v, sizeof v); }
  void Text(std::string_view v) override { Tagged('T', v.data(), v.size()); }
  void Date(int32_t d) override { Tagged('D', &d, sizeof d); }
  void Timestamp(int64_t t) override { Tagged('S', &t, sizeof t); }
  void Bool(bool b) override { Tagged('B', &b, 1); }
  void Decimal(int64_t u, int s) override {
    Tagged('M', &u, sizeof u);
    Mix(&s, sizeof s);
  }
  void EndRow() override { CountRow(); }
  uint64_t hash() const { return hash_; }

 private:
  void Tagged(char tag, const void* data, size_t size) {
    Mix(&tag, 1);
    uint64_t n = size;
    Mix(&n, sizeof n);
    Mix(data, size);
  }
  void Mix(const void* data, size_t size) {
    auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) hash_ = (hash_ ^ p[i]) * 0x100000001b3ull;
  }
  uint64_t hash_ = 0xcbf29ce484222325ull;
};

struct Task {
  Provider provider;
  std::vector<const TableDef*> tables;
  std::atomic<int64_t> rows{0};
  std::atomic<bool> running{false};
};

}  // namespace

std::string ModelFingerprint(uint64_t seed) {
  auto people = GeneratePopulation(seed, 400);
  HashSink sink;
  for (const TableDef& table : AllTables()) table.write(people, seed, sink);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(sink.hash()));
  return buf;
}

std::vector<Provider> ParseProviders(const std::string& list) {
  std::vector<Provider> out;
  std::stringstream ss(list);
  std::string name;
  while (std::getline(ss, name, ',')) {
    if (name.empty()) continue;
    bool found = false;
    for (Provider p : kAllProviders) {
      if (ProviderName(p) == name) {
        out.push_back(p);
        found = true;
      }
    }
    if (!found) {
      ThrowInvalid("unknown provider '" + name +
                   "' (known: gp, acute, community, mental_health, social_care)");
    }
  }
  if (out.empty()) ThrowInvalid("no providers given");
  return out;
}

DatagenReport RunDatagen(const DatagenOptions& options, const Targets& targets, std::ostream& log) {
  const auto start = Clock::now();
  if (options.persons == 0) ThrowInvalid("--persons must be at least 1");
  if (options.persons > 50000000) ThrowInvalid("--persons must be at most 50,000,000");
  const LoadMarker wanted{options.seed, options.persons, ModelFingerprint(options.seed)};

  // Open every provider first: an unreachable target fails before any work is done.
  DatagenReport report;
  std::map<Provider, std::unique_ptr<ProviderStore>> stores;
  std::vector<Provider> to_load;
  for (Provider p : options.providers) {
    auto store = MakeStore(p, targets);
    auto marker = store->Open();
    ProviderSummary summary;
    summary.provider = p;
    summary.where = store->Describe();
    if (marker && *marker == wanted && !options.force) {
      summary.reused = true;
      log << "datagen: " << ProviderName(p) << ": " << summary.where << " already holds seed "
          << options.seed << ", " << options.persons << " persons; reusing it\n";
    } else {
      store->Clear();
      to_load.push_back(p);
    }
    report.providers.push_back(std::move(summary));
    stores[p] = std::move(store);
  }

  if (!to_load.empty()) {
    auto gen_start = Clock::now();
    auto people = GeneratePopulation(options.seed, options.persons);
    if (options.progress) {
      log << "datagen: generated " << options.persons << " persons in " << SecondsSince(gen_start)
          << " s; loading " << to_load.size() << " provider(s) with " << options.jobs
          << " job(s)\n";
    }
    // Tasks: a table each where the DBMS takes parallel loads, a provider each otherwise.
    // The largest tables first, so the slowest work starts early.
    std::vector<std::unique_ptr<Task>> tasks;
    for (Provider p : to_load) {
      bool parallel = stores[p]->ParallelTables();
      for (const TableDef& t : AllTables()) {
        if (t.provider != p) continue;
        if (parallel || tasks.empty() || tasks.back()->provider != p) {
          tasks.push_back(std::make_unique<Task>());
          tasks.back()->provider = p;
        }
        tasks.back()->tables.push_back(&t);
      }
    }
    static const std::set<std::string_view> kLarge = {"consultations", "prescriptions",
                                                      "outpatients", "observations"};
    std::stable_partition(tasks.begin(), tasks.end(),
                          [](const auto& t) { return kLarge.count(t->tables.front()->name) > 0; });

    std::mutex mu;
    std::condition_variable done_cv;
    bool done = false;
    std::exception_ptr failure;
    std::map<const TableDef*, TableSummary> loaded;
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (;;) {
        size_t i = next.fetch_add(1);
        if (i >= tasks.size()) return;
        {
          std::lock_guard lock(mu);
          if (failure) return;
        }
        Task& task = *tasks[i];
        task.running = true;
        try {
          // A fresh store per task: parallel tables each get their own connection.
          auto store = MakeStore(task.provider, targets);
          store->Open();
          for (const TableDef* t : task.tables) {
            auto t0 = Clock::now();
            int64_t rows = store->LoadTable(*t, people, options.seed, &task.rows);
            std::lock_guard lock(mu);
            loaded[t] = TableSummary{std::string(t->name), rows, SecondsSince(t0)};
          }
        } catch (...) {
          std::lock_guard lock(mu);
          if (!failure) failure = std::current_exception();
        }
        task.running = false;
      }
    };
    std::thread reporter([&] {
      std::unique_lock lock(mu);
      while (!done_cv.wait_for(lock, std::chrono::seconds(3), [&] { return done; })) {
        if (!options.progress) continue;
        int64_t total = 0;
        std::string active;
        for (const auto& t : tasks) {
          total += t->rows.load();
          if (t->running) {
            active += (active.empty() ? "" : ", ") + std::string(ProviderName(t->provider)) + "." +
                      std::string(t->tables.front()->name);
          }
        }
        log << "datagen: " << total << " rows written, " << static_cast<int>(SecondsSince(start))
            << " s elapsed; loading " << (active.empty() ? "-" : active) << "\n"
            << std::flush;
      }
    });
    std::vector<std::thread> workers;
    for (int j = 0; j < std::max(1, options.jobs); ++j) workers.emplace_back(worker);
    for (auto& w : workers) w.join();
    {
      std::lock_guard lock(mu);
      done = true;
    }
    done_cv.notify_all();
    reporter.join();
    if (failure) std::rethrow_exception(failure);

    for (Provider p : to_load) {
      stores[p]->WriteMarker(wanted);
      for (auto& summary : report.providers) {
        if (summary.provider != p) continue;
        for (const TableDef& t : AllTables()) {
          if (t.provider == p) summary.tables.push_back(loaded.at(&t));
        }
      }
    }
  }

  // Summaries come from the databases themselves, for reused and new loads alike.
  for (auto& summary : report.providers) {
    ProviderStore& store = *stores[summary.provider];
    if (summary.reused) {
      for (const TableDef& t : AllTables()) {
        if (t.provider == summary.provider) {
          summary.tables.push_back({std::string(t.name), store.CountRows(t), 0});
        }
      }
    }
    std::set<std::string> persons;
    for (const TableDef& t : AllTables()) {
      if (t.provider != summary.provider) continue;
      if (summary.provider == Provider::kSocialCare && t.name == "services") {
        // Services link only through their client; count them, but persons come from clients.
        for (const auto& id : store.CountIdentifiers(t)) {
          summary.person_records += id.records;
          if (id.raw && NormaliseNhsNumber(*id.raw)) summary.linkable_records += id.records;
        }
        continue;
      }
      for (const auto& id : store.CountIdentifiers(t)) {
        summary.person_records += id.records;
        auto normalised = id.raw ? NormaliseNhsNumber(*id.raw) : std::nullopt;
        if (!normalised) continue;
        summary.linkable_records += id.records;
        persons.insert(*normalised);
      }
    }
    summary.persons = static_cast<int64_t>(persons.size());
  }
  report.seconds = SecondsSince(start);
  return report;
}

void PrintReport(const DatagenReport& report, std::ostream& out) {
  char line[256];
  std::snprintf(line, sizeof line, "%-14s %-16s %12s %10s %9s %8s\n", "provider", "table", "rows",
                "persons", "linkable", "load s");
  out << line;
  for (const auto& p : report.providers) {
    bool first = true;
    for (const auto& t : p.tables) {
      char seconds[16];
      std::snprintf(seconds, sizeof seconds, "%.1f", t.seconds);
      std::snprintf(line, sizeof line, "%-14s %-16s %12lld %10s %9s %8s\n",
                    first ? std::string(ProviderName(p.provider)).c_str() : "", t.name.c_str(),
                    static_cast<long long>(t.rows), "", "", p.reused ? "reused" : seconds);
      out << line;
      first = false;
    }
    double share = p.person_records ? 100.0 * p.linkable_records / p.person_records : 0.0;
    char pct[16];
    std::snprintf(pct, sizeof pct, "%.1f%%", share);
    std::snprintf(line, sizeof line, "%-14s %-16s %12s %10lld %9s %8s\n", "", "(all)", "",
                  static_cast<long long>(p.persons), pct, "");
    out << line;
  }
  std::snprintf(line, sizeof line, "total time %.1f s\n", report.seconds);
  out << line;
}

}  // namespace fedgate::datagen
