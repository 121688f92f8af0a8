#pragma once

#include <memory>
#include <string>
#include <vector>

#include <thrift/transport/TSSLSocket.h>

namespace fedgate::agent {

// PEM files of one side of the gateway <-> agent link.
struct TlsFiles {
  std::string ca;           // the CA the other side's certificate must chain to
  std::string certificate;  // this side's certificate (chain)
  std::string key;          // its private key
};

// The agent's side: TLS 1.2+, a client certificate is required, must chain to `files.ca`,
// and its subject's common name must be one of `allowed_subjects` — all checked during the
// handshake, so a refused gateway never gets a TLS session.
std::shared_ptr<apache::thrift::transport::TSSLSocketFactory> ServerTlsFactory(
    const TlsFiles& files, std::vector<std::string> allowed_subjects);

// The gateway's side: presents its certificate and accepts only an agent whose certificate
// chains to `files.ca` and names the host it was reached by (subjectAltName or CN).
std::shared_ptr<apache::thrift::transport::TSSLSocketFactory> ClientTlsFactory(
    const TlsFiles& files);

// The common name of a PEM certificate file ("" when unreadable); for messages and tests.
std::string CertificateCommonName(const std::string& pem_path);

}  // namespace fedgate::agent
