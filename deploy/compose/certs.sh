#!/bin/sh
# Makes the secured compose stack's certificates and passwords in $1 (default
# deploy/compose/secrets), once: a CA, a server certificate for kafka and redis, Kafka's
# PKCS#12 keystore and truststore, and random passwords. It needs openssl only; the
# compose file's `certs` service runs it in an Alpine container, or run it on the host.
set -eu
dir=${1:-deploy/compose/secrets}
mkdir -p "$dir"
cd "$dir"
if [ -f ca.crt ]; then
  echo "certs.sh: $dir already holds a CA; remove the folder to start again"
  exit 0
fi
command -v openssl >/dev/null 2>&1 || apk add --no-cache openssl >/dev/null
pass() { openssl rand -hex 24; }
umask 077
pass > kafka_sasl_password
pass > redis_password
pass > kafka_store_password
openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj "/CN=relance compose CA" \
  -keyout ca.key -out ca.crt
openssl req -newkey rsa:3072 -nodes -subj "/CN=kafka" -keyout server.key -out server.csr
printf 'subjectAltName=DNS:kafka,DNS:redis,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 \
  -extfile server.ext -out server.crt
openssl pkcs12 -export -in server.crt -inkey server.key -certfile ca.crt -name kafka \
  -passout "file:kafka_store_password" -out kafka.keystore.p12
# The apache/kafka image reads the store passwords from these files.
cp kafka_store_password kafka_keystore_creds
cp kafka_store_password kafka_key_creds
cp kafka_store_password kafka_truststore_creds
# Java trusts a PKCS#12 certificate only with -jdktrust (OpenSSL 3.2 and later); the
# broker uses its truststore only for client certificates, off here.
openssl pkcs12 -export -nokeys -in ca.crt -name ca -jdktrust anyExtendedKeyUsage \
  -passout "file:kafka_store_password" -out kafka.truststore.p12 2>/dev/null ||
  openssl pkcs12 -export -nokeys -in ca.crt -name ca -passout "file:kafka_store_password" \
    -out kafka.truststore.p12
rm -f server.csr server.ext ca.srl
# Read by the non-root containers (relance runs as 65532, redis as 999, kafka as 1000).
chmod 0444 ./*
echo "certs.sh: wrote $(ls | wc -l) files to $dir"
