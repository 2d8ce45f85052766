#!/bin/sh
# Test certificates for the TLS tests, made with the openssl CLI into the directory $1 (created if missing).
#
#   ca.pem / ca.key                 test CA ("bun-socket Test CA")
#   server.pem / server.key         leaf for DNS:localhost, IP:127.0.0.1, IP:::1 (+ email, URI, dirName SANs,
#                                   AIA and CRL distribution points, a UTF-8 O= and a multi-valued RDN), signed by
#                                   the CA; server.pem = leaf + CA (chain)
#   server.leaf.pem                 the leaf alone
#   expired.pem / expired.key       same names, valid 2020-01-01 .. 2021-01-01 (`openssl ca -startdate/-enddate`:
#                                   OpenSSL 3.0's `x509` has no -not_before/-not_after)
#   client.pem / client.key         client certificate (CN=testclient, EKU clientAuth), signed by the CA
#   client-enc.key                  client.key encrypted with the pass phrase "secret" (AES-256)
#   other-ca.pem / other-ca.key     an unrelated CA (to provoke "unable to get local issuer certificate")
#   other-client.pem / .key         a client certificate signed by the unrelated CA
#
# Extensions follow RFC 5280 closely enough for Python 3.13's VERIFY_X509_STRICT default (critical
# basicConstraints and keyUsage on CAs, SKI/AKI everywhere).
set -eu
out=${1:?usage: mkcerts.sh OUTDIR}
mkdir -p "$out"
cd "$out"
O=${OPENSSL:-openssl}

ca() { # name subject
  $O req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 3650 -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
ca ca "/C=US/O=bun-socket Test/CN=bun-socket Test CA"
ca other-ca "/CN=Other Test CA"

cat >server.ext <<X
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1,email:admin@localhost,URI:https://localhost/,dirName:dir_sect
authorityInfoAccess=OCSP;URI:http://ocsp.localhost/,caIssuers;URI:http://localhost/ca.pem
crlDistributionPoints=URI:http://localhost/crl.pem
[dir_sect]
O=Dir Org
CN=dir name
X
cat >client.ext <<X
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
X

# server leaf (UTF-8 organisation, multi-valued RDN)
$O req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -utf8 -multivalue-rdn \
  -subj "/C=US/ST=Test State/L=Testville/O=bun-socket Tëst/OU=Srv+UID=srv42/CN=localhost" 2>/dev/null
$O x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.leaf.pem -days 825 \
  -extfile server.ext 2>/dev/null
cat server.leaf.pem ca.pem >server.pem

# expired leaf: `openssl ca` with explicit dates in the past
mkdir -p cadb
: >cadb/index.txt
echo 1000 >cadb/serial
cat >ca.cnf <<X
[ca]
default_ca=d
[d]
database=cadb/index.txt
serial=cadb/serial
new_certs_dir=cadb
default_md=sha256
policy=p
copy_extensions=none
unique_subject=no
[p]
commonName=supplied
X
$O req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr -subj "/CN=localhost" 2>/dev/null
$O ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.leaf.pem \
  -startdate 20200101000000Z -enddate 20210101000000Z -extfile server.ext -notext 2>/dev/null
cat expired.leaf.pem ca.pem >expired.pem

# client certificates
$O req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/O=bun-socket Test/CN=testclient" 2>/dev/null
$O x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 825 \
  -extfile client.ext 2>/dev/null
$O pkey -in client.key -aes256 -passout pass:secret -out client-enc.key 2>/dev/null
$O req -newkey rsa:2048 -nodes -keyout other-client.key -out other-client.csr -subj "/CN=otherclient" 2>/dev/null
$O x509 -req -in other-client.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -out other-client.pem \
  -days 825 -extfile client.ext 2>/dev/null

rm -f ./*.csr
# sanity: the chain verifies, the expired one is expired
$O verify -CAfile ca.pem server.leaf.pem >/dev/null
$O verify -CAfile ca.pem client.pem >/dev/null
if $O verify -CAfile ca.pem expired.leaf.pem >/dev/null 2>&1; then
  echo "mkcerts.sh: expired.leaf.pem unexpectedly verifies" >&2
  exit 1
fi
echo "certificates in $out"
