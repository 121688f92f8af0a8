#include "connectors/agent/agent_tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>

#include <thrift/transport/TSSLSocket.h>

#include "common/error.h"

namespace fedgate::agent {

namespace {

using apache::thrift::transport::DefaultClientAccessManager;
using apache::thrift::transport::SSLProtocol;
using apache::thrift::transport::TSSLSocketFactory;

std::string CommonName(X509* cert) {
  char cn[256] = {0};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) < 0)
    return "";
  return cn;
}

// A factory whose OpenSSL context checks the peer's subject inside the handshake.
class SubjectCheckingFactory : public TSSLSocketFactory {
 public:
  explicit SubjectCheckingFactory(std::vector<std::string> allowed)
      : TSSLSocketFactory(SSLProtocol::TLSv1_2), allowed_(std::move(allowed)) {}

  void Install() {
    SSL_CTX* ctx = ctx_->get();
    SSL_CTX_set_ex_data(ctx, Index(), this);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &Verify);
  }

 private:
  static int Index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
  }

  static int Verify(int preverify_ok, X509_STORE_CTX* store) {
    if (!preverify_ok) return 0;                               // chain, dates, CA
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;  // only the leaf names a peer
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* self =
        static_cast<SubjectCheckingFactory*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), Index()));
    const std::string cn = CommonName(X509_STORE_CTX_get_current_cert(store));
    if (self && std::find(self->allowed_.begin(), self->allowed_.end(), cn) != self->allowed_.end())
      return 1;
    std::fprintf(stderr, "fedgate agent: refused a client certificate for '%s' (not listed)\n",
                 cn.c_str());
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }

  std::vector<std::string> allowed_;
};

void Load(TSSLSocketFactory& f, const TlsFiles& files) {
  try {
    f.loadCertificate(files.certificate.c_str());
    f.loadPrivateKey(files.key.c_str());
    f.loadTrustedCertificates(files.ca.c_str());
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInvalidArgument, "TLS files (certificate " + files.certificate +
                                                 ", key " + files.key + ", CA " + files.ca +
                                                 "): " + e.what());
  }
}

}  // namespace

std::shared_ptr<TSSLSocketFactory> ServerTlsFactory(const TlsFiles& files,
                                                    std::vector<std::string> allowed_subjects) {
  auto f = std::make_shared<SubjectCheckingFactory>(std::move(allowed_subjects));
  f->server(true);
  f->authenticate(true);
  Load(*f, files);
  f->Install();
  return f;
}

std::shared_ptr<TSSLSocketFactory> ClientTlsFactory(const TlsFiles& files) {
  auto f = std::make_shared<TSSLSocketFactory>(SSLProtocol::TLSv1_2);
  f->authenticate(true);
  Load(*f, files);
  f->access(std::make_shared<DefaultClientAccessManager>());
  return f;
}

std::string CertificateCommonName(const std::string& pem_path) {
  FILE* f = std::fopen(pem_path.c_str(), "r");
  if (!f) return "";
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!cert) return "";
  std::string cn = CommonName(cert);
  X509_free(cert);
  return cn;
}

}  // namespace fedgate::agent
