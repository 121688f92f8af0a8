#include "gateway/trino_statement.h"

#include <cctype>

#include "common/error.h"
#include "gateway/url_encoding.h"
#include "sql/lexical.h"
#include "sql/parser.h"

namespace fedgate::gateway {
namespace {

struct Token {
  enum class Type { kWord, kQuoted, kString, kSymbol, kEnd };
  Type type = Type::kEnd;
  std::string text;  // words as written; quoted identifiers and strings without their quotes
  size_t begin = 0, end = 0;
};

// Splits a statement into tokens: words (letters, digits, '_' and '-', so a DSA id such as
// bi-check is one word), "quoted" identifiers, 'strings', and single-character symbols;
// comments and white space are skipped.
std::vector<Token> Tokens(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (const sql::NonCode skipped = sql::ScanNonCode(s, i);
               skipped.kind != sql::Lexeme::kNone) {
      // Comments are skipped; literals and quoted identifiers become tokens of their value.
      if (skipped.kind != sql::Lexeme::kComment) {
        out.push_back(
            {skipped.kind == sql::Lexeme::kString ? Token::Type::kString : Token::Type::kQuoted,
             sql::LexemeText(std::string_view(s).substr(i, skipped.end - i)), i, skipped.end});
      }
      i = skipped.end;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      size_t k = i;
      while (k < s.size() && (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == '_' ||
                              (s[k] == '-' && k + 1 < s.size() && s[k + 1] != '-')))
        ++k;
      out.push_back({Token::Type::kWord, s.substr(i, k - i), i, k});
      i = k;
    } else {
      out.push_back({Token::Type::kSymbol, std::string(1, c), i, i + 1});
      ++i;
    }
  }
  out.push_back({Token::Type::kEnd, "", s.size(), s.size()});
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class StatementParser {
 public:
  explicit StatementParser(const std::string& sql) : sql_(sql), tokens_(Tokens(sql)) {}

  bool Is(size_t k, const char* word) const {
    return k < tokens_.size() && tokens_[k].type == Token::Type::kWord &&
           Lower(tokens_[k].text) == word;
  }
  bool IsSymbol(size_t k, char c) const {
    return k < tokens_.size() && tokens_[k].type == Token::Type::kSymbol && tokens_[k].text[0] == c;
  }
  const Token& At(size_t k) const { return tokens_[std::min(k, tokens_.size() - 1)]; }

  [[noreturn]] void Fail(const std::string& message, size_t k) const {
    throw Error(ErrorCode::kInvalidArgument, message,
                sql::LocationOf(sql_, static_cast<int>(At(k).begin)));
  }

  // An identifier (a word or a "quoted" one) at pos_; lower-cased unless quoted.
  std::string Identifier(const char* what) {
    const Token& t = At(pos_);
    if (t.type == Token::Type::kWord) {
      ++pos_;
      return Lower(t.text);
    }
    if (t.type == Token::Type::kQuoted) {
      ++pos_;
      return t.text;
    }
    Fail(std::string("expected ") + what, pos_);
  }
  std::vector<std::string> QualifiedName(const char* what) {
    std::vector<std::string> parts = {Identifier(what)};
    while (IsSymbol(pos_, '.')) {
      ++pos_;
      parts.push_back(Identifier(what));
    }
    return parts;
  }
  void End() {
    while (IsSymbol(pos_, ';')) ++pos_;
    if (At(pos_).type != Token::Type::kEnd)
      Fail("unexpected '" + At(pos_).text + "' at the end of the statement", pos_);
  }
  // The rest of the statement's text from token k, without a trailing ';'.
  std::string Rest(size_t k) const {
    std::string out = sql_.substr(At(k).begin);
    while (!out.empty() &&
           (out.back() == ';' || std::isspace(static_cast<unsigned char>(out.back()))))
      out.pop_back();
    return out;
  }
  void Like(TrinoStatement& st) {
    if (!Is(pos_, "like")) return;
    ++pos_;
    if (At(pos_).type != Token::Type::kString) Fail("expected a pattern after LIKE", pos_);
    st.like = At(pos_++).text;
    if (Is(pos_, "escape")) {
      ++pos_;
      if (At(pos_).type != Token::Type::kString || At(pos_).text.size() != 1)
        Fail("ESCAPE takes one character", pos_);
      st.like_escape = At(pos_++).text[0];
    }
  }

  // USING v1, v2, ...: each value a constant expression, parsed by fedgate's SQL parser.
  void Values(size_t k, TrinoStatement& st) {
    // Trino's DOUBLE '1.5' is PostgreSQL's DOUBLE PRECISION '1.5'.
    std::string text;
    size_t copied = At(k).begin;
    for (size_t t = k; At(t).type != Token::Type::kEnd; ++t) {
      if (Is(t, "double") && At(t + 1).type == Token::Type::kString) {
        text += sql_.substr(copied, At(t).end - copied) + " PRECISION";
        copied = At(t).end;
      }
    }
    const std::string rest = Rest(k);
    text += rest.substr(std::min(rest.size(), copied - At(k).begin));
    if (text.empty()) Fail("expected values after USING", k);
    const std::string select = "SELECT " + text;
    sql::SelectPtr parsed;
    try {
      parsed = sql::Parse(select);
    } catch (const Error& e) {
      Fail(std::string("in the USING values: ") + e.what(), k);
    }
    if (parsed->set_op != sql::SetOp::kNone || !parsed->from.empty() || parsed->where ||
        !parsed->group_by.empty() || !parsed->order_by.empty() || parsed->limit || parsed->offset ||
        parsed->having || parsed->distinct || !parsed->with.empty())
      Fail("USING takes a list of values", k);
    for (size_t v = 0; v < parsed->targets.size(); ++v) {
      auto& target = parsed->targets[v];
      if (!IsConstant(*target.expr)) {
        Fail(
            "a USING value must be a literal (a string, number, boolean, NULL or a typed "
            "literal such as DATE '2024-04-01'); value " +
                std::to_string(v + 1) + " is not",
            k);
      }
      ForgetLocations(*target.expr);
      const size_t from = static_cast<size_t>(std::max(0, target.location));
      const size_t to = v + 1 < parsed->targets.size()
                            ? static_cast<size_t>(parsed->targets[v + 1].location)
                            : select.size();
      std::string written = select.substr(from, to > from ? to - from : 0);
      while (!written.empty() &&
             (written.back() == ',' || std::isspace(static_cast<unsigned char>(written.back()))))
        written.pop_back();
      st.parameter_texts.push_back(written);
      st.parameters.push_back(std::shared_ptr<const sql::Expr>(std::move(target.expr)));
    }
  }

  static bool IsConstant(const sql::Expr& e) {
    using K = sql::ExprKind;
    switch (e.kind) {
      case K::kLiteral:
        return true;
      case K::kUnary:
        return e.args.size() == 1 && e.args[0]->kind == K::kLiteral &&
               (e.args[0]->literal_kind == sql::LiteralKind::kInteger ||
                e.args[0]->literal_kind == sql::LiteralKind::kNumeric);
      case K::kCast:
        return e.args.size() == 1 && IsConstant(*e.args[0]);
      default:
        return false;
    }
  }
  // A value's locations refer to the USING text, not the statement it is bound into.
  static void ForgetLocations(sql::Expr& e) {
    e.location = -1;
    e.cast_type.location = -1;
    for (auto& a : e.args) ForgetLocations(*a);
  }

  TrinoStatement Parse() {
    TrinoStatement st;
    using K = TrinoStatement::Kind;
    if (Is(0, "use")) {
      st.kind = K::kUse;
      pos_ = 1;
      auto parts = QualifiedName("a schema (USE schema or USE catalog.schema)");
      if (parts.size() > 2) Fail("USE takes schema or catalog.schema", 1);
      if (parts.size() == 2) st.catalog = parts[0];
      st.schema = parts.back();
      End();
    } else if (Is(0, "set") && Is(1, "session")) {
      st.kind = K::kSetSession;
      pos_ = 2;
      st.name = Lower(Join(QualifiedName("a session property name")));
      if (!IsSymbol(pos_, '=')) Fail("expected '=' after the property name", pos_);
      ++pos_;
      TrinoStatement values;
      Values(pos_, values);
      if (values.parameters.size() != 1) Fail("SET SESSION takes one value", pos_);
      const sql::Expr* v = values.parameters[0].get();
      while (v->kind == sql::ExprKind::kCast) v = v->args[0].get();
      if (v->kind != sql::ExprKind::kLiteral || v->literal_kind == sql::LiteralKind::kNull)
        Fail("SET SESSION takes a literal value", pos_);
      st.value = v->literal_kind == sql::LiteralKind::kBool
                     ? (v->literal == "t" || v->literal == "true" ? "true" : "false")
                     : v->literal;
    } else if (Is(0, "reset") && Is(1, "session")) {
      st.kind = K::kResetSession;
      pos_ = 2;
      st.name = Lower(Join(QualifiedName("a session property name")));
      End();
    } else if (Is(0, "prepare")) {
      st.kind = K::kPrepare;
      pos_ = 1;
      st.name = Identifier("a statement name (PREPARE name FROM statement)");
      if (!Is(pos_, "from")) Fail("expected FROM after the statement name", pos_);
      ++pos_;
      st.statement = Rest(pos_);
      if (st.statement.empty()) Fail("expected a statement after FROM", pos_);
    } else if (Is(0, "execute") && Is(1, "immediate")) {
      st.kind = K::kExecuteImmediate;
      pos_ = 2;
      if (At(pos_).type != Token::Type::kString)
        Fail("expected the statement as a string (EXECUTE IMMEDIATE '...')", pos_);
      st.statement = At(pos_++).text;
      if (Is(pos_, "using")) {
        Values(pos_ + 1, st);
      } else {
        End();
      }
    } else if (Is(0, "execute")) {
      st.kind = K::kExecute;
      pos_ = 1;
      st.name = Identifier("a prepared statement's name (EXECUTE name [USING ...])");
      if (Is(pos_, "using")) {
        Values(pos_ + 1, st);
      } else {
        End();
      }
    } else if (Is(0, "deallocate") && Is(1, "prepare")) {
      st.kind = K::kDeallocate;
      pos_ = 2;
      st.name = Identifier("a prepared statement's name");
      End();
    } else if (Is(0, "describe") && (Is(1, "input") || Is(1, "output")) &&
               At(2).type != Token::Type::kEnd && !IsSymbol(2, '.')) {
      st.kind = Is(1, "input") ? K::kDescribeInput : K::kDescribeOutput;
      pos_ = 2;
      st.name = Identifier("a prepared statement's name");
      End();
    } else if (Is(0, "show") && Is(1, "functions")) {
      st.kind = K::kShowFunctions;
      pos_ = 2;
      Like(st);
      End();
    } else if (Is(0, "show") && Is(1, "session")) {
      st.kind = K::kShowSession;
      pos_ = 2;
      Like(st);
      End();
    } else if (Is(0, "show") && Is(1, "create") && Is(2, "table")) {
      st.kind = K::kShowCreateTable;
      pos_ = 3;
      st.table = QualifiedName("a table name");
      if (st.table.size() > 3) Fail("a table name has at most three parts", 3);
      End();
    }
    return st;
  }

  static std::string Join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ".") + p;
    return out;
  }

 private:
  const std::string& sql_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

TrinoStatement ParseTrinoStatement(const std::string& sql) {
  return StatementParser(sql).Parse();
}

std::string UpdateType(TrinoStatement::Kind kind) {
  using K = TrinoStatement::Kind;
  switch (kind) {
    case K::kUse:
      return "USE";
    case K::kSetSession:
      return "SET SESSION";
    case K::kResetSession:
      return "RESET SESSION";
    case K::kPrepare:
      return "PREPARE";
    case K::kDeallocate:
      return "DEALLOCATE";
    default:
      return "";
  }
}

std::map<std::string, std::string> ParsePreparedStatements(const std::string& header) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    if (comma == std::string::npos) comma = header.size();
    std::string item = header.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) {
      const size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0)
        ThrowInvalid("X-Trino-Prepared-Statement: expected name=statement, got '" +
                     item.substr(0, 40) + "'");
      out[UrlDecode(item.substr(0, eq))] = UrlDecode(item.substr(eq + 1));
    }
    start = comma + 1;
  }
  return out;
}

}  // namespace fedgate::gateway
