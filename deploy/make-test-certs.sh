#!/usr/bin/env bash
# Makes a throw-away certificate authority and certificates for a DistTrain cluster with TLS:
#
#   deploy/make-test-certs.sh DIR [NAME...]
#
# DIR/ca.pem, DIR/ca.key          the cluster's CA (keep ca.key off the silos)
# DIR/silo.pem, DIR/silo.key      a silo certificate (server and client use: silos dial each other),
#                                 valid for DNS:disttrain-silo, DNS:localhost, IP:127.0.0.1 and every NAME
#                                 (a host name, or an IP address, of the machines the silos run on)
# DIR/client.pem, DIR/client.key  a console certificate (client use only)
#
# Every certificate is ECDSA P-256, valid for DAYS (default 30) days. For a real cluster use
# your organisation's CA, or at least keep this CA's key offline and one silo key per machine.
# Needs openssl.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 DIR [NAME...]" >&2
  exit 2
fi

dir=$1
shift
days=${DAYS:-30}
command -v openssl >/dev/null || { echo "make-test-certs.sh: openssl not found" >&2; exit 1; }
mkdir -p "$dir"
umask 077

san="DNS:disttrain-silo,DNS:localhost,IP:127.0.0.1"
for name in "$@"; do
  if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then san="$san,IP:$name"; else san="$san,DNS:$name"; fi
done

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# issue NAME SUBJECT EXTENSIONS: a key and a certificate signed by the CA.
issue() {
  local name=$1 subject=$2 extensions=$3
  key "$dir/$name.key"
  openssl req -new -key "$dir/$name.key" -subj "$subject" -out "$dir/$name.csr"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days "$days" -sha256 -extfile <(printf '%s\n' "$extensions") -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr"
}

key "$dir/ca.key"
openssl req -x509 -new -key "$dir/ca.key" -sha256 -days "$days" -subj "/CN=DistTrain test CA" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$dir/ca.pem"

issue silo "/CN=disttrain-silo" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$san"

issue client "/CN=disttrain-client" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"

rm -f "$dir/ca.srl"
chmod 644 "$dir"/*.pem
echo "made $dir/{ca,silo,client}.{pem,key} (valid $days days; silo names: $san)"
