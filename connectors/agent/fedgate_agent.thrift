// The protocol between fedgate's gateway and a source agent running inside a provider's
// network (DESIGN.md "Trust model"). The gateway sends a *structured* fragment (operators and
// expression trees over the tables of the agent's export manifest, never SQL text); the agent
// checks it against its manifest, renders its own SQL, runs it on its database, replaces the
// identifier by the DSA's pseudonym and streams columnar batches back. Transport: TLS with
// mutual certificate authentication, binary protocol, buffered transport.

namespace cpp fedgate.agent.wire

// Bumped on any incompatible change; hello() refuses a peer with another version.
const i32 PROTOCOL_VERSION = 1

// fedgate's engine types (common/types.h TypeId, same numbering).
enum TypeId {
  NULL_TYPE = 0, BOOL = 1, INT64 = 2, DOUBLE = 3, DECIMAL = 4, TEXT = 5, DATE = 6,
  TIMESTAMP = 7, INTERVAL = 8, PSEUDONYM = 9
}

struct DataType {
  1: TypeId id
  2: i32 scale = 0
}

// A constant. Which field is used follows the type, as in the engine's Value.
struct Value {
  1: DataType type
  2: bool is_null = false
  3: i64 i = 0              // bool, int64, decimal (unscaled), date, timestamp
  4: double d = 0.0
  5: string s = ""          // text
  6: i32 months = 0         // interval
  7: i32 days = 0
  8: i64 micros = 0
}

enum ExprKind { COLUMN = 0, CONSTANT = 1, CALL = 2 }

// An expression node. Trees are flattened into Fragment.exprs; `operands` index that list.
struct Expr {
  1: ExprKind kind
  2: DataType type
  3: i32 column = -1        // COLUMN: position in the operator's input
  4: string name = ""       // CALL: the engine's function name (e.g. "=", "case")
  5: optional Value value   // CONSTANT
  6: list<i32> operands = []
}

struct Aggregate {
  1: string fn              // count_star, count, sum, avg, min, max
  2: bool distinct = false
  3: i32 arg = -1           // into Fragment.exprs; -1 for count_star
  4: DataType type
}

struct SortKey {
  1: i32 expr
  2: bool descending = false
  3: bool nulls_first = false
}

struct OutputColumn {
  1: string name
  2: DataType type
}

enum OpKind { GET = 0, FILTER = 1, PROJECT = 2, AGGREGATE = 3, JOIN = 4, SORT = 5, LIMIT = 6, UNION_ALL = 7 }
enum JoinKind { INNER = 0, LEFT = 1, RIGHT = 2, FULL = 3, SEMI = 4, ANTI = 5, CROSS = 6 }

// One operator. Children and expressions are indices into Fragment.ops / Fragment.exprs.
struct Op {
  1: OpKind kind
  2: list<i32> children = []
  3: list<OutputColumn> columns = []
  4: list<i32> person_columns = []
  5: i32 persons_column = -1
  6: string table = ""                  // GET: a table of the manifest
  7: list<string> table_columns = []    // GET: its columns, as exposed (person_id, ...)
  8: i32 predicate = -1                 // FILTER, JOIN
  9: list<i32> exprs = []               // PROJECT
  10: list<i32> groups = []             // AGGREGATE
  11: list<Aggregate> aggregates = []
  12: list<i32> person_inputs = []
  13: i32 persons_input = -1
  14: bool per_person = false
  15: bool raw_person_keys = false
  16: JoinKind join = JoinKind.INNER
  17: bool null_aware = false
  18: list<SortKey> sort_keys = []      // SORT
  19: i64 limit = -1                    // LIMIT
  20: i64 offset = 0
  21: i32 unlinked_column = -1          // AGGREGATE: rows whose person key is NULL (after persons)
}

// What the gateway asks one source to compute: ops[0] is the root.
struct Fragment {
  1: list<Op> ops
  2: list<Expr> exprs
}

// One column of a batch, compact: fixed-width values as little-endian arrays in `data`
// (8 bytes per row for bool/int64/decimal/date/timestamp/double, 16 per pseudonym, 16 per
// interval as months:int32, days:int32, micros:int64), text as the concatenated bytes in
// `data` with `offsets` (rows + 1 little-endian uint32 offsets). `nulls` holds one byte per
// row, 1 where NULL.
struct ColumnData {
  1: DataType type
  2: binary nulls
  3: binary data
  4: binary offsets
}

struct Batch {
  1: i32 rows
  2: list<ColumnData> columns
  3: bool last = false       // no more batches after this one
}

struct SourceColumn {
  1: string name
  2: DataType type
  3: string source_type
}

struct Hello {
  1: i32 version
  2: string agent            // "fedgate-agent <version>"
  3: string source           // the provider source's name
  4: string dialect          // how it renders SQL: postgresql, mariadb, sqlite, sqlserver
  5: list<string> tables     // the manifest's tables
}

enum ErrorKind { INVALID = 0, NOT_FOUND = 1, REFUSED = 2, SOURCE = 3, CANCELLED = 4, BUSY = 5, VERSION = 6, INTERNAL = 7 }

// Re-identification for direct care (DESIGN.md "Re-identification"). The gateway sends the
// Thrift binary serialisation of a ReidentifyRequest with its Ed25519 signature over exactly
// those bytes; the agent checks the signature with the gateway key of its configuration, its
// own list of DSAs and purposes, the request's age and that its id is new, audits it, and
// answers with the NHS numbers of the matching patients registered with `organisation` only,
// sealed to `recipient_key` (common/sealed_box.h) so the gateway cannot read them.
struct ReidentifyRequest {
  1: string request_id      // random, unique: the sealed box's context, the audit records' key
  2: string dsa             // keys the pseudonyms
  3: string purpose
  4: string user
  5: string role
  6: string organisation    // the requester's organisation code at this source
  7: string reason
  8: list<binary> pseudonyms  // linkage pseudonyms under the DSA, 16 bytes each
  9: i64 issued_at          // Unix seconds
  10: binary recipient_key  // the requester's X25519 public key (32 bytes)
  11: string source         // the agent's source: a request for another is refused
}

struct ReidentifyResult {
  1: string request_id
  2: i32 requested          // distinct pseudonyms asked for
  3: i32 matched            // of them, patients registered with the organisation
  4: i32 left_out           // requested - matched: not the organisation's (or not known here)
  5: binary ephemeral_key   // the sealed box: JSON [{"nhs_number": ..., "local_id": ...}]
  6: binary nonce
  7: binary sealed
}

exception AgentError {
  1: ErrorKind kind
  2: string message
}

service FedgateAgent {
  // The first call on every connection: refuses another protocol version.
  Hello hello(1: i32 version) throws (1: AgentError e)
  // The columns of a manifest table, identifier already as person_id (PSEUDONYM).
  list<SourceColumn> describe(1: string table) throws (1: AgentError e)
  // Checks the fragment against the manifest, renders and starts it; returns a scan id.
  // `dsa` keys the pseudonyms; `user` and `query_id` go to the agent's audit log.
  i64 open_scan(1: string dsa, 2: string user, 3: string query_id, 4: Fragment fragment,
                5: i32 timeout_seconds) throws (1: AgentError e)
  Batch fetch(1: i64 scan) throws (1: AgentError e)
  // May come on another connection while fetch() blocks.
  void cancel(1: i64 scan)
  void close(1: i64 scan)
  string health()
  // See ReidentifyRequest; `request` is its serialisation, `signature` the gateway's over it.
  ReidentifyResult reidentify(1: binary request, 2: binary signature) throws (1: AgentError e)
}
