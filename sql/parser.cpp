#include "sql/parser.h"

#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include <pg_query.h>

#include "sql/parse_internal.h"

namespace fedgate::sql {
namespace {

using internal::Json;

// Trino's default query.max-length.
constexpr size_t kMaxQueryBytes = 1'000'000;
// libpg_query renders its tree to JSON recursively, about 130 bytes of stack per level,
// and a chain of binary operators (1+1+1...) nests one level per two bytes of text. Up to
// this length (at most ~1 MB of stack) it runs on the caller's thread; longer queries run
// on a thread of our own whose stack holds the deepest tree kMaxQueryBytes allows.
constexpr size_t kCallerStackMaxBytes = 16 * 1024;
constexpr size_t kParserStackBytes = size_t{256} << 20;

// Bytes in the UTF-8 character starting with `lead`, as PostgreSQL's pg_utf_mblen counts.
int Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 1;
}

// The offset of the first byte that is not well-formed UTF-8 (RFC 3629), or -1.
int InvalidUtf8Offset(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = [&](size_t k) {
      return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
    };
    unsigned char c = byte(0);
    int length = 0;
    unsigned char low = 0x80, high = 0xbf;  // the range of the second byte
    if (c < 0x80) {
      length = 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c == 0xe0) low = 0xa0;
      if (c == 0xed) high = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c == 0xf0) low = 0x90;
      if (c == 0xf4) high = 0x8f;
    } else {
      return static_cast<int>(i);
    }
    for (int k = 1; k < length; ++k) {
      unsigned char next = byte(k);
      bool ok = k == 1 ? next >= low && next <= high : next >= 0x80 && next <= 0xbf;
      if (!ok) return static_cast<int>(i);
    }
    i += length;
  }
  return -1;
}

// The byte offset of the `index`th (0-based) character.
int ByteOffsetOfCharacter(std::string_view text, int index) {
  size_t offset = 0;
  for (int i = 0; i < index && offset < text.size(); ++i) {
    offset += Utf8Length(static_cast<unsigned char>(text[offset]));
  }
  return static_cast<int>(std::min(offset, text.size()));
}

int SkipSpace(std::string_view text, int offset) {
  while (offset >= 0 && static_cast<size_t>(offset) < text.size() &&
         std::strchr(" \t\r\n\f\v", text[offset]) != nullptr) {
    ++offset;
  }
  return offset;
}

// Whether libpg_query's JSON nests objects and arrays deeper than `limit`. Each level of
// the converter's recursion spans fewer than 16 levels of JSON, so a tree that fails this
// would fail the converter's depth check too; this check just gets there without building
// a JSON document of tens of megabytes first.
bool JsonDeeperThan(const char* json, int limit) {
  int depth = 0;
  bool in_string = false;
  for (const char* p = json; *p != '\0'; ++p) {
    if (in_string) {
      if (*p == '\\' && p[1] != '\0') {
        ++p;
      } else if (*p == '"') {
        in_string = false;
      }
    } else if (*p == '"') {
      in_string = true;
    } else if (*p == '{' || *p == '[') {
      if (++depth > limit) return true;
    } else if (*p == '}' || *p == ']') {
      --depth;
    }
  }
  return false;
}

class ParseResult {
 public:
  explicit ParseResult(PgQueryParseResult result) : result_(result) {}
  ~ParseResult() { pg_query_free_parse_result(result_); }
  ParseResult(const ParseResult&) = delete;
  ParseResult& operator=(const ParseResult&) = delete;
  const PgQueryParseResult* operator->() const { return &result_; }

 private:
  PgQueryParseResult result_;
};

PgQueryParseResult RunPgQuery(const std::string& text) {
  if (text.size() <= kCallerStackMaxBytes) return pg_query_parse(text.c_str());
  struct Call {
    const char* sql;
    PgQueryParseResult result;
  } call{text.c_str(), {}};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kParserStackBytes);
  pthread_t thread;
  int rc = pthread_create(
      &thread, &attr,
      [](void* arg) -> void* {
        auto* c = static_cast<Call*>(arg);
        c->result = pg_query_parse(c->sql);
        return nullptr;
      },
      &call);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    throw Error(ErrorCode::kResourceExhausted,
                std::string("cannot start a thread to parse the query: ") + std::strerror(rc));
  }
  pthread_join(thread, nullptr);
  return call.result;
}

// How a statement that is not a query is called in the error message.
std::string StatementName(std::string_view type) {
  static const std::pair<std::string_view, std::string_view> kNames[] = {
      {"InsertStmt", "INSERT"},
      {"UpdateStmt", "UPDATE"},
      {"DeleteStmt", "DELETE"},
      {"MergeStmt", "MERGE"},
      {"CreateStmt", "CREATE TABLE"},
      {"CreateTableAsStmt", "CREATE TABLE AS"},
      {"ViewStmt", "CREATE VIEW"},
      {"IndexStmt", "CREATE INDEX"},
      {"AlterTableStmt", "ALTER TABLE"},
      {"DropStmt", "DROP"},
      {"TruncateStmt", "TRUNCATE"},
      {"VariableSetStmt", "SET"},
      {"VariableShowStmt", "SHOW"},
      {"ExplainStmt", "EXPLAIN"},
      {"TransactionStmt", "a transaction command"},
      {"CopyStmt", "COPY"},
      {"GrantStmt", "GRANT"},
      {"CallStmt", "CALL"},
      {"DoStmt", "DO"},
      {"PrepareStmt", "PREPARE"},
      {"ExecuteStmt", "EXECUTE"},
      {"VacuumStmt", "VACUUM"},
      {"LockStmt", "LOCK"},
  };
  for (const auto& [node, name] : kNames) {
    if (node == type) return std::string(name);
  }
  return std::string(type);
}

}  // namespace

TextLocation LocationOf(std::string_view text, int offset) {
  if (offset < 0) return {};
  size_t end = std::min(static_cast<size_t>(offset), text.size());
  TextLocation location{1, 1};
  for (size_t i = 0; i < end; i += Utf8Length(static_cast<unsigned char>(text[i]))) {
    if (text[i] == '\n') {
      ++location.line;
      location.column = 1;
    } else {
      ++location.column;
    }
  }
  return location;
}

SelectPtr Parse(std::string_view sql) {
  auto fail = [&](const std::string& message, int offset) {
    throw Error(ErrorCode::kInvalidArgument, message, LocationOf(sql, offset));
  };
  if (sql.size() > kMaxQueryBytes) {
    throw Error(ErrorCode::kInvalidArgument, "the query is too long (" +
                                                 std::to_string(sql.size()) + " bytes, at most " +
                                                 std::to_string(kMaxQueryBytes) + ")");
  }
  if (size_t nul = sql.find('\0'); nul != std::string_view::npos) {
    fail("the query contains a NUL character", static_cast<int>(nul));
  }
  if (int bad = InvalidUtf8Offset(sql); bad >= 0) fail("the query is not valid UTF-8", bad);

  ParseResult result(RunPgQuery(std::string(sql)));
  if (result->error != nullptr) {
    // cursorpos counts characters from 1; 0 when PostgreSQL gave no position.
    int cursor = result->error->cursorpos;
    TextLocation location;
    if (cursor > 0) location = LocationOf(sql, ByteOffsetOfCharacter(sql, cursor - 1));
    throw Error(ErrorCode::kInvalidArgument, result->error->message, location);
  }

  if (JsonDeeperThan(result->parse_tree, 16 * internal::kMaxDepth)) {
    throw Error(ErrorCode::kInvalidArgument, internal::TooDeepMessage());
  }
  internal::Converter converter(sql);
  try {
    Json tree = Json::parse(result->parse_tree);
    const Json& statements = internal::ListField(tree, "stmts");
    if (statements.empty()) throw Error(ErrorCode::kInvalidArgument, "empty query");
    if (statements.size() > 1) {
      fail("only one statement is allowed per query (found " + std::to_string(statements.size()) +
               ")",
           SkipSpace(sql, internal::IntField(statements[1], "stmt_location", 0)));
    }
    const Json& raw = statements[0];
    int location = SkipSpace(sql, internal::IntField(raw, "stmt_location", 0));
    const Json& statement = internal::ObjectField(raw, "stmt");
    std::string_view type = internal::NodeType(statement);
    if (type != "SelectStmt") {
      fail("only SELECT queries are supported (got " + StatementName(type) + ")", location);
    }
    return converter.Select(internal::NodeBody(statement), location);
  } catch (const Json::exception& e) {
    throw Error(ErrorCode::kInternal,
                std::string("unexpected parse tree from libpg_query: ") + e.what());
  }
}

namespace internal {

std::string_view NodeType(const Json& node) {
  if (!node.is_object() || node.empty()) return {};
  return node.begin().key();
}

const Json& NodeBody(const Json& node) {
  static const Json kEmpty = Json::object();
  if (!node.is_object() || node.empty()) return kEmpty;
  return node.begin().value();
}

const Json& ObjectField(const Json& object, const char* key) {
  static const Json kEmpty = Json::object();
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

const Json& ListField(const Json& object, const char* key) {
  static const Json kEmpty = Json::array();
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : kEmpty;
}

std::string StringField(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int IntField(const Json& object, const char* key, int absent) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int>() : absent;
}

bool BoolField(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

std::string TooDeepMessage() {
  return "the query is nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)";
}

int LocationField(const Json& body) {
  return IntField(body, "location", 0);
}

std::vector<std::string> StringList(const Json& list) {
  std::vector<std::string> strings;
  for (const Json& item : list) strings.push_back(StringField(NodeBody(item), "sval"));
  return strings;
}

Converter::DepthGuard::DepthGuard(Converter& converter, const Json& node) : converter_(converter) {
  if (++converter_.depth_ > kMaxDepth) {
    --converter_.depth_;
    converter_.FailAt(TooDeepMessage(), node);
  }
}

void Converter::Fail(const std::string& message, int location) const {
  throw Error(ErrorCode::kInvalidArgument, message, LocationOf(sql_, location));
}

namespace {

// The first location at or inside `json` (for nodes that have none of their own).
int FirstLocation(const Json& json, int depth = 0) {
  if (depth > 64) return -1;
  if (json.is_object()) {
    if (int location = IntField(json, "location", -1); location >= 0) return location;
  }
  if (json.is_object() || json.is_array()) {
    for (const Json& child : json) {
      if (int location = FirstLocation(child, depth + 1); location >= 0) return location;
    }
  }
  return -1;
}

}  // namespace

void Converter::FailAt(const std::string& message, const Json& node) const {
  Fail(message, FirstLocation(node));
}

}  // namespace internal
}  // namespace fedgate::sql
