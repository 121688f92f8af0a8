#!/bin/sh
# Certificates for the compose deployment, made once into DIR (the `certs` volume): a CA, the
# gateway's client certificate (CN fedgate-gateway) and HTTPS certificate (host `gateway`),
# and one server certificate per agent (host agent-PROVIDER). Real deployments use the
# organisations' own PKI; this is for trying fedgate out.
set -eu
dir=${1:?usage: make-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
[ -f .done ] && exit 0
openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj "/CN=fedgate compose CA" \
  -keyout ca-key.pem -out ca.pem 2>/dev/null
issue() {  # NAME CN [SAN]
  openssl req -newkey rsa:3072 -nodes -subj "/CN=$2" -keyout "$1-key.pem" -out "$1.csr" 2>/dev/null
  if [ -n "${3:-}" ]; then echo "subjectAltName=$3" > "$1.ext"; else : > "$1.ext"; fi
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 825 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
issue gateway-client fedgate-gateway
issue gateway-https gateway "DNS:gateway,DNS:localhost,IP:127.0.0.1"
for p in gp acute mental-health social-care community; do
  issue "agent-$p" "agent-$p" "DNS:agent-$p"
done
chmod 644 ./*.pem
touch .done
echo "certificates in $dir"
