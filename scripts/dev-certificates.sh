#!/usr/bin/env bash
# Creates a throwaway certificate authority and the certificates a local consumer → SSP → provider
# rehearsal needs, with openssl (Debian's). NEVER use these outside a test machine; never commit them.
#
#   scripts/dev-certificates.sh [DIRECTORY]     (default: certs/dev, which git ignores)
#
# Writes, in DIRECTORY (EC P-256 keys, PEM):
#   ca.pem                 the trusted root (stands in for the NHS chain of trust)
#   crl.pem                its certificate revocation list (consumer-revoked is on it)
#   provider.pem/.key      server certificate of the provider (CN provider.localhost; SAN localhost, 127.0.0.1)
#   ssp.pem/.key           the Spine Secure Proxy: server and client certificate (CN ssp.localhost)
#   consumer.pem/.key      a consumer system's client certificate (CN consumer.localhost)
#   consumer2.pem/.key     a second consumer (CN consumer2.localhost)
# and, for the tests, client certificates that must be refused at the handshake:
#   consumer-expired, consumer-not-yet-valid, consumer-wrong-usage (serverAuth only, no digitalSignature),
#   consumer-wrong-ca (issued by other-ca.pem), consumer-revoked (listed in crl.pem).
set -euo pipefail

out="${1:-certs/dev}"
mkdir -p "$out"
cd "$out"
db="ca-db"
rm -rf "$db"
mkdir -p "$db/new"
: >"$db/index.txt"
echo 1000 >"$db/serial"
echo 1000 >"$db/crlnumber"

cat >ca.cnf <<EOF
[ ca ]
default_ca = dev
[ dev ]
dir = $db
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
default_days = 825
default_crl_days = 3650
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
commonName = supplied
organizationName = optional
EOF

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

authority() { # name, common name
    key "$1"
    openssl req -x509 -new -key "$1.key" -sha256 -days 3650 -subj "/O=GP Connect development/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem"
}

# name, common name, extended key usage, key usage, issuer (ca|other-ca), start offset, end offset
issue() {
    local name="$1" cn="$2" eku="$3" ku="$4" issuer="${5:-ca}" start="${6:--1 day}" end="${7:-+825 days}"
    key "$name"
    openssl req -new -key "$name.key" -subj "/O=GP Connect development/CN=$cn" -out "$name.csr"
    cat >"$name.ext" <<EOF
[ leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,$ku
extendedKeyUsage = $eku
subjectAltName = DNS:$cn,DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    openssl ca -batch -notext -config ca.cnf -cert "$issuer.pem" -keyfile "$issuer.key" -in "$name.csr" -out "$name.pem" \
        -startdate "$(stamp "$start")" -enddate "$(stamp "$end")" -extfile "$name.ext" -extensions leaf 2>/dev/null
    rm -f "$name.csr" "$name.ext"
}

authority ca "GP Connect development CA"
authority other-ca "Some other CA"

issue provider provider.localhost serverAuth digitalSignature
issue ssp ssp.localhost serverAuth,clientAuth digitalSignature
issue consumer consumer.localhost clientAuth digitalSignature
issue consumer2 consumer2.localhost clientAuth digitalSignature
issue consumer-expired consumer.localhost clientAuth digitalSignature ca "-730 days" "-365 days"
issue consumer-not-yet-valid consumer.localhost clientAuth digitalSignature ca "+365 days" "+730 days"
issue consumer-wrong-usage consumer.localhost serverAuth keyAgreement
issue consumer-wrong-ca consumer.localhost clientAuth digitalSignature other-ca
issue consumer-revoked consumer.localhost clientAuth digitalSignature

openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -revoke consumer-revoked.pem 2>/dev/null
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -gencrl -out crl.pem 2>/dev/null
rm -rf "$db" ca.cnf other-ca.key
echo "certificates in $(pwd)"
