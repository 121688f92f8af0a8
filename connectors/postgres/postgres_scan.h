#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "connectors/connector.h"
#include "connectors/postgres/postgres_connector.h"

namespace fedgate::connectors::pg {

// One fragment running on one pooled connection. See Scan for the contract.
class PostgresScan : public Scan {
 public:
  PostgresScan(PostgresConnector& owner, std::unique_ptr<PgConnection> conn, Fragment fragment,
               QueryContext context);
  ~PostgresScan() override;

  bool Next(Batch& batch) override;
  void Cancel() override;
  int64_t rows() const override { return rows_; }

 private:
  void DecodeRow(PGresult* result, Batch& batch);
  void Finish();  // drains results and returns the connection to the pool
  [[noreturn]] void Fail(PGresult* result);

  PostgresConnector& owner_;
  std::unique_ptr<PgConnection> conn_;
  Fragment fragment_;
  QueryContext context_;
  std::mutex cancel_mu_;
  PGcancel* cancel_ = nullptr;
  std::atomic<bool> cancelled_{false};
  bool cancel_sent_ = false;  // guarded by cancel_mu_
  bool done_ = false;
  int64_t rows_ = 0;
};

// Decodes PostgreSQL's binary numeric into a fixed-point integer at `scale` (rounding half
// away from zero) or a double. Exposed for tests. Throws on NaN or overflow.
int64_t DecodeNumericFixed(const char* data, int length, int scale);
double DecodeNumericDouble(const char* data, int length);

}  // namespace fedgate::connectors::pg
