#include "config/config.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "common/error.h"
#include "config/yaml_file.h"
#include "sql/dialect.h"

namespace fedgate::config {

namespace {

class ConfigReader : public YamlFile {
 public:
  using YamlFile::YamlFile;

  // A scalar with ${VAR} expanded; fails naming the variable when it is not set.
  std::string String(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) Fail(node, what + " must be a text value");
    std::string raw = node.as<std::string>(), out;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '$' && i + 1 < raw.size() && raw[i + 1] == '{') {
        size_t end = raw.find('}', i);
        if (end == std::string::npos) Fail(node, what + ": unterminated ${ in '" + raw + "'");
        std::string var = raw.substr(i + 2, end - i - 2);
        const char* value = std::getenv(var.c_str());
        if (value == nullptr) {
          Fail(node, what + ": environment variable " + var + " is not set");
        }
        out += value;
        i = end;
      } else {
        out += raw[i];
      }
    }
    return out;
  }

  int64_t Int(const YAML::Node& node, const std::string& what, int64_t lo, int64_t hi) const {
    std::string text = String(node, what);
    try {
      size_t used = 0;
      int64_t v = std::stoll(text, &used);
      if (used != text.size()) throw std::invalid_argument(text);
      if (v < lo || v > hi) {
        Fail(node, what + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                       ", got " + text);
      }
      return v;
    } catch (const std::logic_error&) {
      Fail(node, what + " must be a whole number, got '" + text + "'");
    }
  }

  // `own_file`: a secret file must be readable by its owner only (an agent's).
  std::string Secret(const YAML::Node& node, const std::string& what = "linkage_secret",
                     bool own_file = false) const {
    if (node.IsScalar()) {
      Fail(node, what + " must not be written in the file: use {env: VAR} or {file: PATH}");
    }
    CheckKeys(node, what, {"env", "file"});
    if (node["env"]) {
      std::string var = String(node["env"], what + ".env");
      const char* value = std::getenv(var.c_str());
      if (value == nullptr || *value == '\0') {
        Fail(node["env"], what + ": environment variable " + var + " is not set");
      }
      return value;
    }
    if (node["file"]) {
      std::string file = String(node["file"], what + ".file");
      struct stat st {};
      if (own_file && ::stat(file.c_str(), &st) == 0 && (st.st_mode & 077)) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
        Fail(node["file"], what + ".file " + file + " may be read by others (mode " + mode +
                               "): an agent's secret must be readable by the agent only "
                               "(chmod 600)");
      }
      std::ifstream in(file, std::ios::binary);
      if (!in) Fail(node["file"], what + ": cannot read " + file);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string secret = ss.str();
      while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
      if (secret.size() < 16) Fail(node["file"], what + ": " + file + " holds fewer than 16 bytes");
      return secret;
    }
    Fail(node, what + " needs env or file");
  }

  std::pair<std::string, int> Endpoint(const YAML::Node& node, const std::string& what) const {
    const std::string text = String(node, what);
    const auto colon = text.rfind(':');
    int port = 0;
    if (colon == std::string::npos || colon == 0 ||
        std::sscanf(text.c_str() + colon + 1, "%d", &port) != 1 || port < 1 || port > 65535)
      Fail(node, what + " must be HOST:PORT, got '" + text + "'");
    return {text.substr(0, colon), port};
  }

  void Tls(const YAML::Node& node, const std::string& what, std::string& ca,
           std::string& certificate, std::string& key) const {
    CheckKeys(node, what, {"ca", "certificate", "key"});
    if (!node["ca"] || !node["certificate"] || !node["key"])
      Fail(node, what + " needs ca, certificate and key (PEM files)");
    ca = String(node["ca"], what + ".ca");
    certificate = String(node["certificate"], what + ".certificate");
    key = String(node["key"], what + ".key");
  }

  // agent.reidentification: {gateway_key, table, organisation_column, local_id_column,
  // allow: [{dsa, purposes}], max_persons, max_age_seconds}.
  void ReadReidentification(const YAML::Node& r, GatewayConfig& config) const {
    const std::string what = "agent.reidentification";
    CheckKeys(r, what,
              {"gateway_key", "table", "organisation_column", "local_id_column", "allow",
               "max_persons", "max_persons_per_day", "max_age_seconds"});
    for (const char* key :
         {"gateway_key", "table", "organisation_column", "local_id_column", "allow"})
      if (!r[key])
        Fail(r, what +
                    " needs gateway_key (the gateway's Ed25519 public key), table, "
                    "organisation_column, local_id_column and allow [{dsa, purposes}]");
    auto& out = config.reidentification;
    config.has_reidentification = true;
    out.gateway_key = String(r["gateway_key"], what + ".gateway_key");
    out.table = String(r["table"], what + ".table");
    out.organisation_column = String(r["organisation_column"], what + ".organisation_column");
    out.local_id_column = String(r["local_id_column"], what + ".local_id_column");
    if (!r["allow"].IsSequence() || r["allow"].size() == 0)
      Fail(r["allow"], what + ".allow must list at least one {dsa, purposes: [...]}");
    for (const auto& a : r["allow"]) {
      CheckKeys(a, what + ".allow", {"dsa", "purposes", "organisations"});
      if (!a["dsa"] || !a["purposes"] || !a["purposes"].IsSequence() || a["purposes"].size() == 0)
        Fail(a, what + ".allow entries need dsa and a non-empty purposes list");
      auto& allow = out.allow[String(a["dsa"], what + ".allow.dsa")];
      for (const auto& p : a["purposes"])
        allow.purposes.push_back(String(p, what + ".allow.purposes"));
      if (const auto orgs = a["organisations"]) {
        if (!orgs.IsSequence() || orgs.size() == 0)
          Fail(orgs, what +
                         ".allow.organisations must list organisation codes (or be left out "
                         "for any)");
        for (const auto& o : orgs)
          allow.organisations.push_back(String(o, what + ".allow.organisations"));
      }
    }
    if (r["max_persons"])
      out.max_persons = static_cast<int>(Int(r["max_persons"], what + ".max_persons", 1, 100000));
    if (r["max_persons_per_day"])
      out.max_persons_per_day = static_cast<int>(
          Int(r["max_persons_per_day"], what + ".max_persons_per_day", 1, 10000000));
    if (r["max_age_seconds"])
      out.max_age_seconds =
          static_cast<int>(Int(r["max_age_seconds"], what + ".max_age_seconds", 5, 3600));
  }

  GatewayConfig Read(const YAML::Node& root) const {
    GatewayConfig config;
    config.path = path();
    CheckKeys(root, "the configuration",
              {"min_persons", "memory_budget_mb", "query_timeout_seconds", "dsa", "linkage_secret",
               "sources", "dsa_dir", "users", "audit_log", "tls", "agent", "gateway_secret",
               "reidentification_key"});
    if (root["dsa_dir"]) config.dsa_dir = String(root["dsa_dir"], "dsa_dir");
    if (root["audit_log"]) config.audit_log = String(root["audit_log"], "audit_log");
    if (root["tls"]) {
      const auto tls = root["tls"];
      CheckKeys(tls, "tls", {"certificate", "key"});
      if (!tls["certificate"] || !tls["key"])
        Fail(tls, "tls needs certificate and key (PEM files)");
      config.tls_certificate = String(tls["certificate"], "tls.certificate");
      config.tls_key = String(tls["key"], "tls.key");
    }
    if (root["users"]) {
      const auto users = root["users"];
      if (!users.IsMap()) Fail(users, "users must map user names to {role, organisation}");
      for (const auto& kv : users) {
        const std::string name = kv.first.as<std::string>();
        CheckKeys(kv.second, "users." + name, {"role", "organisation", "password_hash", "purpose"});
        if (!kv.second["role"] || !kv.second["organisation"]) {
          Fail(kv.second, "users." + name + " needs role and organisation");
        }
        config.users[name] = {
            String(kv.second["role"], "users." + name + ".role"),
            String(kv.second["organisation"], "users." + name + ".organisation"),
            kv.second["password_hash"]
                ? String(kv.second["password_hash"], "users." + name + ".password_hash")
                : std::string(),
            kv.second["purpose"] ? String(kv.second["purpose"], "users." + name + ".purpose")
                                 : std::string()};
      }
    }
    if (root["min_persons"]) {
      config.min_persons = Int(root["min_persons"], "min_persons", 1, 1000000);
    }
    if (root["memory_budget_mb"]) {
      config.memory_budget_mb = Int(root["memory_budget_mb"], "memory_budget_mb", 16, 1 << 20);
    }
    if (root["query_timeout_seconds"]) {
      config.query_timeout_seconds =
          static_cast<int>(Int(root["query_timeout_seconds"], "query_timeout_seconds", 0, 86400));
    }
    if (root["dsa"]) config.dsa = String(root["dsa"], "dsa");
    if (root["linkage_secret"])
      config.linkage_secret = Secret(root["linkage_secret"], "linkage_secret", bool(root["agent"]));
    if (root["gateway_secret"])
      config.gateway_secret = Secret(root["gateway_secret"], "gateway_secret");
    if (const auto agent = root["agent"]) {
      config.has_agent = true;
      CheckKeys(agent, "agent",
                {"listen", "source", "tls", "allowed_gateways", "max_scans", "reidentification"});
      if (!agent["listen"] || !agent["source"] || !agent["tls"] || !agent["allowed_gateways"])
        Fail(agent,
             "agent needs listen (HOST:PORT), source, tls {ca, certificate, key} and "
             "allowed_gateways (certificate common names)");
      std::tie(config.agent.listen_host, config.agent.listen_port) =
          Endpoint(agent["listen"], "agent.listen");
      config.agent.source = String(agent["source"], "agent.source");
      Tls(agent["tls"], "agent.tls", config.agent.tls_ca, config.agent.tls_certificate,
          config.agent.tls_key);
      if (!agent["allowed_gateways"].IsSequence() || agent["allowed_gateways"].size() == 0)
        Fail(agent["allowed_gateways"], "agent.allowed_gateways must list at least one name");
      for (const auto& g : agent["allowed_gateways"])
        config.agent.allowed_gateways.push_back(String(g, "agent.allowed_gateways"));
      if (agent["max_scans"])
        config.agent.max_scans =
            static_cast<int>(Int(agent["max_scans"], "agent.max_scans", 1, 256));
      if (const auto r = agent["reidentification"]) ReadReidentification(r, config);
    }
    if (root["reidentification_key"]) {
      if (root["agent"])
        Fail(root["reidentification_key"],
             "reidentification_key is the gateway's signing key; an agent names the gateway's "
             "public key in agent.reidentification.gateway_key");
      config.reidentification_key = String(root["reidentification_key"], "reidentification_key");
    }
    const auto sources = root["sources"];
    if (!sources || !sources.IsMap() || sources.size() == 0) {
      Fail(sources ? sources : root, "sources must list at least one source");
    }
    for (const auto& kv : sources) {
      SourceConfig s;
      s.name = kv.first.as<std::string>();
      const std::string where = "sources." + s.name;
      CheckKeys(kv.second, where,
                {"kind", "connection", "pool_size", "tables", "dialect", "endpoint", "tls"});
      if (!kv.second["kind"]) Fail(kv.second, where + ".kind is required");
      s.kind = String(kv.second["kind"], where + ".kind");
      if (s.kind != "postgres" && s.kind != "odbc" && s.kind != "agent") {
        Fail(kv.second["kind"],
             where + ".kind: unknown kind '" + s.kind + "' (known: postgres, odbc, agent)");
      }
      if (s.kind == "agent") {
        if (!kv.second["endpoint"] || !kv.second["tls"])
          Fail(kv.second, where +
                              " (an agent) needs endpoint (HOST:PORT) and tls {ca, "
                              "certificate, key}");
        std::tie(s.agent_host, s.agent_port) = Endpoint(kv.second["endpoint"], where + ".endpoint");
        Tls(kv.second["tls"], where + ".tls", s.tls_ca, s.tls_certificate, s.tls_key);
        for (const char* key : {"connection", "dialect", "pool_size"}) {
          if (kv.second[key])
            Fail(kv.second[key], where + "." + key +
                                     " does not apply to an agent (the agent "
                                     "has its own)");
        }
      } else if (kv.second["endpoint"] || kv.second["tls"]) {
        Fail(kv.second["endpoint"] ? kv.second["endpoint"] : kv.second["tls"],
             where + ": endpoint and tls apply to agent sources only");
      }
      if (s.kind == "odbc") {
        if (!kv.second["dialect"]) {
          Fail(kv.second, where + ".dialect is required for an odbc source (mariadb, sqlite, " +
                              "sqlserver or postgresql)");
        }
        s.dialect = String(kv.second["dialect"], where + ".dialect");
        if (!sql::DialectNamed(s.dialect)) {
          Fail(kv.second["dialect"], where + ".dialect: unknown dialect '" + s.dialect +
                                         "' (known: mariadb, sqlite, sqlserver, postgresql)");
        }
      } else if (kv.second["dialect"]) {
        Fail(kv.second["dialect"], where + ".dialect applies to odbc sources only");
      }
      if (s.kind != "agent") {
        if (!kv.second["connection"]) Fail(kv.second, where + ".connection is required");
        s.connection = String(kv.second["connection"], where + ".connection");
      }
      if (kv.second["pool_size"]) {
        s.pool_size = static_cast<int>(Int(kv.second["pool_size"], where + ".pool_size", 1, 64));
      }
      const auto tables = kv.second["tables"];
      if (!tables || !tables.IsMap() || tables.size() == 0) {
        Fail(tables ? tables : kv.second, where + ".tables must list at least one table");
      }
      for (const auto& t : tables) {
        TableConfig table;
        table.name = t.first.as<std::string>();
        if (t.second && !t.second.IsNull()) {
          const std::string at = where + ".tables." + table.name;
          CheckKeys(t.second, at, {"identifier", "through", "columns"});
          if (t.second["identifier"]) {
            if (s.kind == "agent")
              Fail(t.second["identifier"], at + ".identifier: an agent pseudonymises its own "
                                                "identifier; the gateway never names it");
            table.identifier = String(t.second["identifier"], at + ".identifier");
          }
          if (const auto columns = t.second["columns"]) {
            if (!columns.IsSequence() || columns.size() == 0)
              Fail(columns, at + ".columns must list the columns exposed (person_id for the "
                                 "identifier)");
            for (const auto& c : columns) table.columns.push_back(String(c, at + ".columns"));
          }
          if (const auto through = t.second["through"]) {
            if (table.identifier.empty()) {
              Fail(through, at + ".through needs an identifier: the column of the other table "
                                 "that holds it");
            }
            if (!through.IsMap()) {
              Fail(through, at + ".through must be a map: {table: TABLE, key: COLUMN}");
            }
            CheckKeys(through, at + ".through", {"table", "key"});
            if (!through["table"] || !through["key"]) {
              Fail(through, at + ".through needs both table and key (the column both tables "
                                 "share), e.g. {table: clients, key: client_id}");
            }
            table.through_table = String(through["table"], at + ".through.table");
            table.through_key = String(through["key"], at + ".through.key");
            if (table.through_table == table.name) {
              Fail(through["table"], at + ".through.table names the table itself");
            }
          }
        }
        s.tables[table.name] = table;
      }
      config.sources[s.name] = std::move(s);
    }
    // Agents hold the linkage secret themselves: a gateway whose every source is an agent
    // needs none (and should have none).
    if (config.linkage_secret.empty()) {
      for (const auto& [name, source] : config.sources) {
        if (source.kind != "agent")
          Fail(root, "linkage_secret is required ({env: VAR} or {file: PATH})");
      }
    }
    if (config.has_agent) {
      auto it = config.sources.find(config.agent.source);
      if (it == config.sources.end() || it->second.kind == "agent")
        Fail(root["agent"]["source"],
             "agent.source must name one of sources (a postgres or "
             "odbc source), got '" +
                 config.agent.source + "'");
      if (config.linkage_secret.empty())
        Fail(root["agent"], "an agent needs linkage_secret: it pseudonymises at source");
      if (config.has_reidentification) {
        const auto& tables = it->second.tables;
        auto t = tables.find(config.reidentification.table);
        if (t == tables.end() || t->second.identifier.empty() || !t->second.through_table.empty())
          Fail(root["agent"]["reidentification"]["table"],
               "agent.reidentification.table must be a table of the agent's source whose "
               "identifier it holds itself (no through), got '" +
                   config.reidentification.table + "'");
      }
    }
    return config;
  }
};

}  // namespace

GatewayConfig ParseConfig(const std::string& text, const std::string& path) {
  ConfigReader reader(path);
  return reader.Guard([&] { return reader.Read(reader.Load(text)); });
}

GatewayConfig LoadConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) ThrowInvalid("cannot read the configuration file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  GatewayConfig config = ParseConfig(ss.str(), path);
  // Paths in the file are relative to the file.
  auto resolve = [&](std::string& p) {
    if (!p.empty() && std::filesystem::path(p).is_relative()) {
      p = (std::filesystem::path(path).parent_path() / p).lexically_normal().string();
    }
  };
  resolve(config.dsa_dir);
  resolve(config.audit_log);
  resolve(config.tls_certificate);
  resolve(config.tls_key);
  resolve(config.agent.tls_ca);
  resolve(config.agent.tls_certificate);
  resolve(config.agent.tls_key);
  resolve(config.reidentification_key);
  resolve(config.reidentification.gateway_key);
  for (auto& [name, source] : config.sources) {
    resolve(source.tls_ca);
    resolve(source.tls_certificate);
    resolve(source.tls_key);
  }
  return config;
}

}  // namespace fedgate::config
