#include "policy/dsa.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/audit_log.h"
#include "common/date.h"
#include "common/error.h"
#include "config/yaml_file.h"

namespace fedgate::policy {

namespace {

class DsaReader : public config::YamlFile {
 public:
  using YamlFile::YamlFile;

  const YAML::Node Required(const YAML::Node& map, const std::string& key,
                            const std::string& what) const {
    if (!map[key]) Fail(map, what + key + " is required");
    return map[key];
  }

  std::string Text(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar() || node.Scalar().empty())
      Fail(node, what + " must be a non-empty text value");
    return node.Scalar();
  }

  std::vector<std::string> TextList(const YAML::Node& node, const std::string& what,
                                    bool non_empty) const {
    if (!node.IsSequence()) Fail(node, what + " must be a list, e.g. [a, b]");
    if (non_empty && node.size() == 0) Fail(node, what + " must not be empty");
    std::vector<std::string> out;
    for (const auto& item : node) {
      std::string v = Text(item, what + " entries");
      if (std::count(out.begin(), out.end(), v)) Fail(item, what + ": '" + v + "' is listed twice");
      out.push_back(v);
    }
    return out;
  }

  int32_t Date(const YAML::Node& node, const std::string& what) const {
    auto d = ParseIsoDate(Text(node, what));
    if (!d) Fail(node, what + " must be a date YYYY-MM-DD, got '" + node.Scalar() + "'");
    return *d;
  }

  int64_t Int(const YAML::Node& node, const std::string& what, int64_t lo, int64_t hi) const {
    std::string text = Text(node, what);
    size_t used = 0;
    int64_t v = 0;
    try {
      v = std::stoll(text, &used);
    } catch (const std::logic_error&) {
      used = 0;
    }
    if (used != text.size() || text.empty())
      Fail(node, what + " must be a whole number, got '" + text + "'");
    if (v < lo || v > hi) {
      Fail(node, what + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                     ", got " + text);
    }
    return v;
  }

  Dsa Read(const YAML::Node& root) const {
    Dsa d;
    CheckKeys(root, "the DSA",
              {"dsa", "title", "owner", "parties", "valid", "purposes", "recipients", "datasets",
               "output", "linkage", "reidentification"});
    d.id = Text(Required(root, "dsa", ""), "dsa");
    for (char c : d.id) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
        Fail(root["dsa"], "dsa id '" + d.id + "' may use only letters, digits, '-', '_' and '.'");
      }
    }
    if (root["title"]) d.title = Text(root["title"], "title");
    d.owner = Text(Required(root, "owner", ""), "owner");
    d.parties = TextList(Required(root, "parties", ""), "parties", true);

    const auto valid = Required(root, "valid", "");
    CheckKeys(valid, "valid", {"from", "until"});
    d.valid_from = Date(Required(valid, "from", "valid."), "valid.from");
    d.valid_until = Date(Required(valid, "until", "valid."), "valid.until");
    if (d.valid_until < d.valid_from) Fail(valid["until"], "valid.until is before valid.from");

    d.purposes = TextList(Required(root, "purposes", ""), "purposes", true);

    const auto recipients = Required(root, "recipients", "");
    if (!recipients.IsSequence() || recipients.size() == 0) {
      Fail(recipients, "recipients must be a non-empty list of {role, organisation}");
    }
    for (const auto& r : recipients) {
      CheckKeys(r, "a recipient", {"role", "organisation"});
      d.recipients.push_back({Text(Required(r, "role", "a recipient's "), "role"),
                              Text(Required(r, "organisation", "a recipient's "), "organisation")});
    }

    const auto datasets = Required(root, "datasets", "");
    if (!datasets.IsMap() || datasets.size() == 0)
      Fail(datasets, "datasets must map source.table to its columns");
    for (const auto& kv : datasets) {
      std::string table = kv.first.as<std::string>();
      auto dot = table.find('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == table.size() ||
          table.find('.', dot + 1) != std::string::npos) {
        Fail(kv.first, "dataset '" + table + "' must be named source.table");
      }
      auto source = table.substr(0, dot);
      if (!std::count(d.parties.begin(), d.parties.end(), source)) {
        Fail(kv.first, "dataset '" + table + "' comes from '" + source +
                           "', which is not one of the parties");
      }
      const std::string what = "datasets." + table;
      CheckKeys(kv.second, what, {"columns", "except"});
      DatasetRule rule;
      const auto columns = Required(kv.second, "columns", what + ".");
      if (columns.IsScalar()) {
        if (columns.Scalar() != "all")
          Fail(columns, what + ".columns must be 'all' or a list of columns");
        rule.all = true;
      } else {
        auto list = TextList(columns, what + ".columns", true);
        rule.columns.insert(list.begin(), list.end());
      }
      if (kv.second["except"]) {
        if (!rule.all) Fail(kv.second["except"], what + ".except only goes with columns: all");
        auto list = TextList(kv.second["except"], what + ".except", true);
        rule.except.insert(list.begin(), list.end());
      }
      d.datasets[table] = std::move(rule);
    }

    const auto output = Required(root, "output", "");
    CheckKeys(
        output, "output",
        {"level", "min_persons", "rounding", "redact_at_or_below", "perturbation", "dominance",
         "p_ratio", "zeros", "means", "extremes", "percentiles", "unlinked_records"});
    std::string level = Text(Required(output, "level", "output."), "output.level");
    if (level == "aggregate") {
      d.level = OutputLevel::kAggregate;
    } else if (level == "pseudonymised-records") {
      d.level = OutputLevel::kPseudonymisedRecords;
    } else {
      Fail(output["level"],
           "output.level must be 'aggregate' or 'pseudonymised-records', got '" + level + "'");
    }
    d.disclosure.min_persons =
        Int(Required(output, "min_persons", "output."), "output.min_persons", 1, 1000000);
    if (output["rounding"]) {
      const auto r = output["rounding"];
      if (r.IsScalar()) {
        if (r.Scalar() == "midpoint-6") {
          d.disclosure.rounding.kind = disclosure::Rounding::Kind::kMidpoint6;
        } else if (r.Scalar() != "none") {
          Fail(r,
               "output.rounding must be {base: N}, midpoint-6 or none, got '" + r.Scalar() + "'");
        }
      } else {
        CheckKeys(r, "output.rounding", {"base"});
        d.disclosure.rounding.kind = disclosure::Rounding::Kind::kBase;
        d.disclosure.rounding.base =
            Int(Required(r, "base", "output.rounding."), "output.rounding.base", 2, 1000);
      }
    }
    if (output["perturbation"]) {
      std::string p = Text(output["perturbation"], "output.perturbation");
      if (p == "cell-key") {
        d.disclosure.cell_key_perturbation = true;
      } else if (p != "none") {
        Fail(output["perturbation"],
             "output.perturbation must be cell-key or none, got '" + p + "'");
      }
    }
    if (output["dominance"]) {
      const auto dom = output["dominance"];
      if (dom.IsScalar() && dom.Scalar() == "none") {
        // off
      } else {
        CheckKeys(dom, "output.dominance", {"n", "k"});
        d.disclosure.dominance_n = static_cast<int>(
            Int(Required(dom, "n", "output.dominance."), "output.dominance.n", 1, 10));
        d.disclosure.dominance_k = static_cast<double>(
            Int(Required(dom, "k", "output.dominance."), "output.dominance.k", 1, 99));
      }
    }
    if (output["redact_at_or_below"]) {
      d.disclosure.redact_at_or_below =
          Int(output["redact_at_or_below"], "output.redact_at_or_below", 1, 1000);
    }
    if (output["p_ratio"]) {
      const auto p = output["p_ratio"];
      double v = 0;
      try {
        v = p.as<double>();
      } catch (const YAML::Exception&) {
        Fail(p, "output.p_ratio must be a number between 0.01 and 0.5 (e.g. 0.10)");
      }
      if (!(v >= 0.01 && v <= 0.5))
        Fail(p, "output.p_ratio must be between 0.01 and 0.5 (e.g. 0.10), got " + p.Scalar());
      d.disclosure.p_ratio = v;
    }
    if (output["zeros"]) {
      std::string z = Text(output["zeros"], "output.zeros");
      if (z != "disclosive" && z != "safe")
        Fail(output["zeros"], "output.zeros must be disclosive or safe, got '" + z + "'");
      d.disclosure.zeros_disclosive = z == "disclosive";
    }
    if (output["means"]) {
      const auto m = output["means"];
      CheckKeys(m, "output.means", {"min_persons"});
      d.disclosure.mean_min_persons =
          Int(Required(m, "min_persons", "output.means."), "output.means.min_persons", 1, 1000000);
    }
    if (output["extremes"]) {
      std::string e = Text(output["extremes"], "output.extremes");
      if (e != "allow" && e != "deny")
        Fail(output["extremes"], "output.extremes must be allow or deny, got '" + e + "'");
      d.disclosure.extremes_allowed = e == "allow";
    }
    if (output["percentiles"]) {
      // {allow: true|false, min_persons: N}: N persons needed on each side of a released
      // percentile (default: min_persons).
      const auto p = output["percentiles"];
      CheckKeys(p, "output.percentiles", {"allow", "min_persons"});
      if (p["allow"]) {
        const std::string a = Text(p["allow"], "output.percentiles.allow");
        if (a != "true" && a != "false")
          Fail(p["allow"], "output.percentiles.allow must be true or false, got '" + a + "'");
        d.disclosure.percentiles_allowed = a == "true";
      }
      if (p["min_persons"])
        d.disclosure.percentile_min_persons =
            Int(p["min_persons"], "output.percentiles.min_persons", 1, 1000000);
    }

    if (output["unlinked_records"]) {
      // count: a record without a valid NHS number is one person of its own in count(*)'s
      // threshold; exclude (the default): no person (policy/README.md "Records without a
      // person key").
      const std::string u = Text(output["unlinked_records"], "output.unlinked_records");
      if (u != "count" && u != "exclude")
        Fail(output["unlinked_records"],
             "output.unlinked_records must be count or exclude, got '" + u + "'");
      d.disclosure.unlinked_records_count = u == "count";
    }

    if (root["linkage"]) {
      const auto l = root["linkage"];
      CheckKeys(l, "linkage", {"key", "sources"});
      if (l["key"]) d.linkage_key = Text(l["key"], "linkage.key");
      if (d.linkage_key != "person_id")
        Fail(l["key"], "linkage.key must be person_id (the pseudonymised NHS number)");
      if (l["sources"]) {
        d.linkage_sources = TextList(l["sources"], "linkage.sources", true);
        for (size_t i = 0; i < d.linkage_sources.size(); ++i) {
          if (!std::count(d.parties.begin(), d.parties.end(), d.linkage_sources[i])) {
            Fail(l["sources"][i],
                 "linkage source '" + d.linkage_sources[i] + "' is not one of the parties");
          }
        }
      }
    }
    if (root["reidentification"])
      d.reidentification = Reidentification(root["reidentification"], d);
    return d;
  }

  ReidentificationRule Reidentification(const YAML::Node& r, const Dsa& d) const {
    const std::string what = "reidentification";
    CheckKeys(
        r, what,
        {"requesters", "purposes", "source", "organisation_codes", "limits", "cohort_minutes"});
    ReidentificationRule rule;
    if (d.level != OutputLevel::kPseudonymisedRecords)
      Fail(r,
           "reidentification needs output.level pseudonymised-records: a cohort is a list "
           "of persons, which an aggregate-only DSA never releases");
    const auto requesters = Required(r, "requesters", what + ".");
    if (!requesters.IsSequence() || requesters.size() == 0)
      Fail(requesters, what + ".requesters must be a non-empty list of {role, organisation}");
    for (const auto& q : requesters) {
      CheckKeys(q, "a requester", {"role", "organisation"});
      Recipient who{Text(Required(q, "role", "a requester's "), "role"),
                    Text(Required(q, "organisation", "a requester's "), "organisation")};
      if (!d.IsRecipient(who.role, who.organisation))
        Fail(q, "requester {role: " + who.role + ", organisation: " + who.organisation +
                    "} is not one of the recipients: a requester runs the cohort query first");
      rule.requesters.push_back(std::move(who));
    }
    rule.purposes = TextList(Required(r, "purposes", what + "."), what + ".purposes", true);
    for (size_t i = 0; i < rule.purposes.size(); ++i)
      if (!d.HasPurpose(rule.purposes[i]))
        Fail(r["purposes"][i],
             "purpose '" + rule.purposes[i] + "' is not one of the DSA's purposes");
    rule.source = Text(Required(r, "source", what + "."), what + ".source");
    if (!std::count(d.parties.begin(), d.parties.end(), rule.source))
      Fail(r["source"], what + ".source '" + rule.source + "' is not one of the parties");
    if (const auto codes = r["organisation_codes"]) {
      if (!codes.IsMap()) Fail(codes, what + ".organisation_codes must map organisations to codes");
      for (const auto& kv : codes)
        rule.organisation_codes[kv.first.as<std::string>()] =
            Text(kv.second, what + ".organisation_codes." + kv.first.as<std::string>());
    }
    if (const auto limits = r["limits"]) {
      CheckKeys(limits, what + ".limits", {"persons_per_request", "persons_per_day"});
      if (limits["persons_per_request"])
        rule.max_persons_per_request =
            Int(limits["persons_per_request"], what + ".limits.persons_per_request", 1, 100000);
      if (limits["persons_per_day"])
        rule.max_persons_per_day =
            Int(limits["persons_per_day"], what + ".limits.persons_per_day", 1, 1000000);
      if (rule.max_persons_per_day < rule.max_persons_per_request)
        Fail(limits, what + ".limits.persons_per_day is below persons_per_request");
    }
    if (r["cohort_minutes"])
      rule.cohort_minutes = Int(r["cohort_minutes"], what + ".cohort_minutes", 1, 24 * 60);
    return rule;
  }
};

}  // namespace

bool Dsa::IsRecipient(const std::string& role, const std::string& organisation) const {
  return std::any_of(recipients.begin(), recipients.end(), [&](const Recipient& r) {
    return r.role == role && r.organisation == organisation;
  });
}

bool ReidentificationRule::IsRequester(const std::string& role,
                                       const std::string& organisation) const {
  return std::any_of(requesters.begin(), requesters.end(), [&](const Recipient& r) {
    return r.role == role && r.organisation == organisation;
  });
}

bool Dsa::HasPurpose(const std::string& purpose) const {
  return std::count(purposes.begin(), purposes.end(), purpose) > 0;
}

Dsa ParseDsa(const std::string& text, const std::string& path) {
  DsaReader reader(path);
  YAML::Node root = reader.Load(text);
  if (!root || root.IsNull())
    throw Error(ErrorCode::kInvalidArgument, path + ":1:1: the file is empty");
  Dsa d = reader.Guard([&] { return reader.Read(root); });
  d.file = path;
  d.file_sha256 = audit::Sha256Hex(text);
  return d;
}

Dsa LoadDsaFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, "cannot read DSA file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseDsa(ss.str(), path);
}

DsaRegistry::ReloadReport DsaRegistry::Reload() {
  ReloadReport report;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(directory_, ec)) {
    auto ext = e.path().extension();
    if (ext == ".yaml" || ext == ".yml") files.push_back(e.path());
  }
  if (ec)
    throw Error(ErrorCode::kNotFound,
                "cannot read the DSA directory " + directory_ + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::map<std::string, std::shared_ptr<const Dsa>> fresh;
  std::map<std::string, std::string> fresh_files;
  for (const auto& f : files) {
    try {
      auto d = std::make_shared<const Dsa>(LoadDsaFile(f.string()));
      if (fresh.count(d->id)) {
        throw Error(
            ErrorCode::kInvalidArgument,
            f.string() + ":1:1: DSA '" + d->id + "' is also defined in " + fresh.at(d->id)->file);
      }
      fresh_files[f.string()] = d->id;
      fresh[d->id] = d;
      report.loaded.push_back(d->id);
    } catch (const Error& e) {
      report.rejected.push_back({f.string(), e.what()});
    }
  }
  std::lock_guard lock(mu_);
  // A rejected file keeps its previous good version in force.
  for (const auto& p : report.rejected) {
    auto it = id_of_file_.find(p.file);
    if (it != id_of_file_.end() && by_id_.count(it->second) && !fresh.count(it->second)) {
      fresh[it->second] = by_id_.at(it->second);
      fresh_files[p.file] = it->second;
    }
  }
  by_id_ = std::move(fresh);
  id_of_file_ = std::move(fresh_files);
  return report;
}

std::shared_ptr<const Dsa> DsaRegistry::Get(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) {
    std::string known;
    for (const auto& [k, v] : by_id_) known += (known.empty() ? "" : ", ") + k;
    throw Error(ErrorCode::kNotFound, "no DSA '" + id + "' is in force (in force: " +
                                          (known.empty() ? "none" : known) + ")");
  }
  return it->second;
}

std::vector<std::string> DsaRegistry::Ids() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [k, v] : by_id_) out.push_back(k);
  return out;
}

}  // namespace fedgate::policy
