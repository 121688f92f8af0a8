#!/usr/bin/env bash
# The compose deployment cannot run here (no Docker engine), so this checks everything short of
# running it: docker-compose validates the file; every file it and the Dockerfile name exists;
# every fedgate command in it is a real command whose configuration loads; the scripts parse;
# the certificate script makes certificates that chain to its CA and name the hosts the
# gateway dials.
# Usage: compose_test.sh FEDGATE_BINARY
set -euo pipefail
FEDGATE=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
C=$ROOT/compose
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "compose_test: $*" >&2; exit 1; }

# 1. docker-compose accepts it, and refuses it without the secrets it must be given.
export POSTGRES_PASSWORD=p MARIADB_ROOT_PASSWORD=m FEDGATE_READER_PASSWORD=r
export FEDGATE_LINKAGE_SECRET=compose-test-linkage-secret FEDGATE_GATEWAY_SECRET=compose-test-gateway-secret
export FEDGATE_ANA_PASSWORD_HASH=pbkdf2 FEDGATE_OLIVE_PASSWORD_HASH=pbkdf2
docker-compose -f "$C/docker-compose.yml" config >"$WORK/config.yml" || fail "docker-compose config failed"
if env -u FEDGATE_LINKAGE_SECRET docker-compose -f "$C/docker-compose.yml" config -q 2>"$WORK/err"; then
  fail "the file is accepted without FEDGATE_LINKAGE_SECRET"
fi
grep -q FEDGATE_LINKAGE_SECRET "$WORK/err" || fail "the missing secret is not named: $(cat "$WORK/err")"
# The gateway is never given the linkage secret.
awk '/^  gateway:/{g=1; next} /^  [a-z]/{g=0} g' "$WORK/config.yml" | grep -q LINKAGE_SECRET &&
  fail "the gateway service has the linkage secret"

# 2. Files named by the compose file and the Dockerfile exist.
for f in initdb/postgres-reader.sh initdb/mariadb-reader.sh Dockerfile; do
  [[ -f $C/$f ]] || fail "compose/$f is missing"
done
grep -o 'compose/Dockerfile' "$C/docker-compose.yml" >/dev/null || fail "no build of compose/Dockerfile"
while read -r src; do
  for s in $src; do [[ -e $ROOT/$s ]] || fail "the Dockerfile copies $s, which does not exist"; done
done < <(sed -n 's/^COPY \(--from=[a-z]* \)\{0,1\}\(.*\) [^ ]*$/\2/p' "$C/Dockerfile" | grep -v '^/')
# Images: the project's own, and the servers it is tested against.
images=$(sed -n 's/^ *image: //p' "$WORK/config.yml" | sort -u | tr '\n' ' ')
[[ $images == "fedgate:local mariadb:10.11 postgres:15 " ]] || fail "unexpected images: $images"

# 3. Every fedgate command is real and its configuration loads.
grep -q '"agent", "--config"' "$C/docker-compose.yml" || fail "no agents"
for cfg in $(grep -o '/etc/fedgate/[a-z-]*\.yaml' "$C/docker-compose.yml" | sort -u); do
  f=$C/config/${cfg#/etc/fedgate/}
  [[ -f $f ]] || fail "$cfg is not in compose/config"
  if grep -q '^agent:' "$f"; then
    "$FEDGATE" agent --config "$f" --check >/dev/null || fail "$f does not load"
  else
    out=$("$FEDGATE" serve --config "$f" --check) || fail "$f does not load"
    [[ $out == *"linkage secret none"* ]] || fail "the gateway's configuration holds a linkage secret"
  fi
done
"$FEDGATE" datagen --help | grep -q -- '--sqlite-dir' || fail "load.sh's datagen options changed"
for s in "$C/make-certs.sh" "$C/load.sh" "$C"/initdb/*.sh; do sh -n "$s" || fail "$s does not parse"; done

# 4. The certificates: a chain to the CA, and each agent's name is the host the gateway dials.
sh "$C/make-certs.sh" "$WORK/certs" >/dev/null
for p in gp acute mental-health social-care community; do
  openssl verify -CAfile "$WORK/certs/ca.pem" "$WORK/certs/agent-$p.pem" >/dev/null ||
    fail "agent-$p's certificate does not chain to the CA"
  openssl x509 -in "$WORK/certs/agent-$p.pem" -noout -ext subjectAltName | grep -q "DNS:agent-$p" ||
    fail "agent-$p's certificate does not name agent-$p"
  grep -q "endpoint: agent-$p:7443" "$C/config/gateway.yaml" || fail "the gateway does not dial agent-$p"
done
subject=$(openssl x509 -in "$WORK/certs/gateway-client.pem" -noout -subject)
[[ $subject == *"CN = fedgate-gateway"* ]] || fail "the gateway's client certificate is $subject"
echo "compose: valid"
