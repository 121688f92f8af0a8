// Window definitions: a function's OVER (...) or OVER w, resolved against the SELECT's
// WINDOW clause with PostgreSQL's rules for copying a named window (parse_internal.h).

#include <memory>
#include <string>
#include <utility>

#include "sql/parse_internal.h"

namespace fedgate::sql::internal {

namespace {

// PostgreSQL's FRAMEOPTION_* bits (nodes/parsenodes.h), as libpg_query reports frameOptions.
enum FrameOption : int {
  kNonDefault = 0x1,
  kRange = 0x2,
  kRows = 0x4,
  kGroups = 0x8,
  kStartUnboundedPreceding = 0x20,
  kEndUnboundedPreceding = 0x40,
  kStartUnboundedFollowing = 0x80,
  kEndUnboundedFollowing = 0x100,
  kStartCurrentRow = 0x200,
  kEndCurrentRow = 0x400,
  kStartOffsetPreceding = 0x800,
  kEndOffsetPreceding = 0x1000,
  kStartOffsetFollowing = 0x2000,
  kEndOffsetFollowing = 0x4000,
  kExclude = 0x8000 | 0x10000 | 0x20000,
};

}  // namespace

std::shared_ptr<const WindowSpec> Converter::Window(const Json& over, int location) {
  auto spec = std::make_shared<WindowSpec>();
  spec->location = IntField(over, "location", location);
  // OVER w names a window of the WINDOW clause as it is; OVER (w ...) copies its PARTITION BY
  // and ORDER BY and adds to them.
  std::string name = StringField(over, "name");
  std::string refname = StringField(over, "refname");
  const std::string& wanted = name.empty() ? refname : name;
  if (!wanted.empty()) {
    const Json* definition = nullptr;
    if (windows_ != nullptr) {
      for (const Json& item : *windows_) {
        if (StringField(NodeBody(item), "name") == wanted) definition = &NodeBody(item);
      }
    }
    if (definition == nullptr) Fail("window \"" + wanted + "\" does not exist", spec->location);
    if (!StringField(*definition, "refname").empty())
      Fail("a window defined from another window is not supported", spec->location);
    for (const Json& e : ListField(*definition, "partitionClause"))
      spec->partition_by.push_back(Expression(e));
    for (const Json& e : ListField(*definition, "orderClause"))
      spec->order_by.push_back(SortItem(e));
    if (!name.empty()) {
      WindowFrame(*definition, *spec);
      return spec;
    }
    if (IntField(*definition, "frameOptions", 0) & kNonDefault)
      Fail("cannot copy window \"" + wanted + "\" because it has a frame clause", spec->location);
    if (!ListField(over, "partitionClause").empty())
      Fail("cannot override PARTITION BY clause of window \"" + wanted + "\"", spec->location);
    if (!spec->order_by.empty() && !ListField(over, "orderClause").empty())
      Fail("cannot override ORDER BY clause of window \"" + wanted + "\"", spec->location);
  }
  for (const Json& e : ListField(over, "partitionClause"))
    spec->partition_by.push_back(Expression(e));
  for (const Json& e : ListField(over, "orderClause")) spec->order_by.push_back(SortItem(e));
  WindowFrame(over, *spec);
  return spec;
}

void Converter::WindowFrame(const Json& over, WindowSpec& spec) {
  const int options = IntField(over, "frameOptions", 0);
  if (!(options & kNonDefault)) return;
  const int location = spec.location;
  if (options & kExclude) Fail("EXCLUDE in a window frame is not supported", location);
  spec.frame_written = true;
  spec.mode = options & kRows     ? FrameMode::kRows
              : options & kGroups ? FrameMode::kGroups
                                  : FrameMode::kRange;
  auto offset = [&](const char* key) {
    const Json& node = ObjectField(over, key);
    if (NodeType(node).empty()) Fail("a frame offset is missing", location);
    return Expression(node);
  };
  if (options & kStartUnboundedPreceding) {
    spec.start = {FrameBoundKind::kUnboundedPreceding, nullptr};
  } else if (options & kStartCurrentRow) {
    spec.start = {FrameBoundKind::kCurrentRow, nullptr};
  } else if (options & kStartOffsetPreceding) {
    spec.start = {FrameBoundKind::kPreceding, offset("startOffset")};
  } else if (options & kStartOffsetFollowing) {
    spec.start = {FrameBoundKind::kFollowing, offset("startOffset")};
  } else if (options & kStartUnboundedFollowing) {
    Fail("frame start cannot be UNBOUNDED FOLLOWING", location);
  }
  if (options & kEndUnboundedFollowing) {
    spec.end = {FrameBoundKind::kUnboundedFollowing, nullptr};
  } else if (options & kEndCurrentRow) {
    spec.end = {FrameBoundKind::kCurrentRow, nullptr};
  } else if (options & kEndOffsetPreceding) {
    spec.end = {FrameBoundKind::kPreceding, offset("endOffset")};
  } else if (options & kEndOffsetFollowing) {
    spec.end = {FrameBoundKind::kFollowing, offset("endOffset")};
  } else if (options & kEndUnboundedPreceding) {
    Fail("frame end cannot be UNBOUNDED PRECEDING", location);
  }
}

}  // namespace fedgate::sql::internal
