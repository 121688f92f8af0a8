// The JSON API's re-identification endpoints (README "Re-identification for direct care"):
//   POST /api/v1/cohorts     {dsa, purpose, sql}          -> {cohort, persons, expires, source}
//   POST /api/v1/reidentify  {cohort, reason, public_key} -> {request_id, requested, matched,
//                              left_out, sealed: {ephemeral_key, nonce, ciphertext}, ...}
// The flow and its checks live in reidentification/; this file only reads and writes JSON.

#include "common/encoding.h"
#include "common/error.h"
#include "gateway/api.h"

namespace fedgate::gateway {

HttpResponse Api::Cohort(const HttpRequest& request, const Caller& caller) {
  HttpResponse bad;
  auto body = JsonBody(request, bad);
  if (!body) return bad;
  auto sql = TextField(*body, "sql"), dsa = TextField(*body, "dsa"),
       purpose = TextField(*body, "purpose");
  if (!purpose && !caller.purpose.empty()) purpose = caller.purpose;
  if (!sql || !dsa || !purpose)
    return ApiError(400, "BAD_REQUEST",
                    "the body must hold text fields sql (one row per person, with person_id), "
                    "dsa and purpose");
  try {
    auto c = reidentifier_.MakeCohort({caller.user, caller.role, caller.organisation, *purpose},
                                      *dsa, *sql);
    return Json(200, {{"cohort", c.token},
                      {"cohort_id", c.id},
                      {"persons", c.persons},
                      {"expires", c.expires},
                      {"source", c.source}});
  } catch (const Error& e) {
    return ErrorResponse(e);
  }
}

HttpResponse Api::Reidentify(const HttpRequest& request, const Caller& caller) {
  HttpResponse bad;
  auto body = JsonBody(request, bad);
  if (!body) return bad;
  auto cohort = TextField(*body, "cohort"), reason = TextField(*body, "reason"),
       key = TextField(*body, "public_key");
  if (!cohort || !reason || !key)
    return ApiError(400, "BAD_REQUEST",
                    "the body must hold text fields cohort (the token from POST /api/v1/cohorts), "
                    "reason and public_key (your X25519 public key, base64: the NHS numbers come "
                    "back sealed to it)");
  try {
    auto r =
        reidentifier_.Reidentify({caller.user, caller.role, caller.organisation, caller.purpose},
                                 *cohort, *reason, Base64Decode(*key));
    return Json(200, {{"request_id", r.request_id},
                      {"source", r.source},
                      {"requested", r.requested},
                      {"matched", r.matched},
                      {"left_out", r.left_out},
                      {"used_today", r.used_today},
                      {"limit_per_day", r.limit_per_day},
                      {"sealed",
                       {{"scheme", "x25519-hkdf-sha256-aes256gcm"},
                        {"context", r.request_id},
                        {"ephemeral_key", Base64Encode(r.box.ephemeral_public)},
                        {"nonce", Base64Encode(r.box.nonce)},
                        {"ciphertext", Base64Encode(r.box.ciphertext)}}}});
  } catch (const Error& e) {
    // An unknown, expired, used or someone else's cohort: the resource is not there.
    if (e.code() == ErrorCode::kNotFound) return ApiError(404, "NOT_FOUND", e.what());
    return ErrorResponse(e);
  }
}

}  // namespace fedgate::gateway
