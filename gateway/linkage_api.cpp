// GET /api/v1/linkage?dsa=ID[&purpose=P]: the linkage report of a DSA (policy/linkage.h), for
// its recipients; each figure released under the DSA's rules and audited.

#include "common/error.h"
#include "gateway/api.h"
#include "policy/linkage.h"

namespace fedgate::gateway {

HttpResponse Api::Linkage(const HttpRequest& request, const Caller& caller) {
  auto params = QueryParams(request.target);
  const std::string dsa = params.count("dsa") ? params["dsa"] : "";
  std::string purpose = params.count("purpose") ? params["purpose"] : caller.purpose;
  if (dsa.empty()) return ApiError(400, "BAD_REQUEST", "name the DSA: /api/v1/linkage?dsa=ID");
  if (purpose.empty())
    return ApiError(400, "BAD_REQUEST",
                    "name the purpose: /api/v1/linkage?dsa=ID&purpose=P (you have no default)");
  try {
    const auto rows =
        policy::LinkageReport(gate_, {caller.user, caller.role, caller.organisation, purpose}, dsa);
    return Json(200, {{"dsa", dsa}, {"tables", policy::LinkageJson(rows)}});
  } catch (const Error& e) {
    return ErrorResponse(e);
  }
}

}  // namespace fedgate::gateway
