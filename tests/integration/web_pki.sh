# shellcheck shell=bash
# Certificates for the TLS tests, made with openssl in the test's own directory: nothing is
# kept between runs. Sourced after lib.sh.
#
# Passwords: bcrypt hashes of fixed test passwords (libcrypt, cost 5: cheap on a CI machine),
# written out here because the minimal CI root has no htpasswd or mkpasswd.
# shellcheck disable=SC2016,SC2034 # hashes are literal; read by the tests
WEB_PROMETHEUS_PASSWORD=scrape-secret
WEB_PROMETHEUS_HASH='$2y$05$UsaZ/vChUJqurkDwlrDYAOxfbRpFHm4WBEO4tO53SUVm8YgWPUxi6'
WEB_OTHER_PASSWORD=other-secret
WEB_OTHER_HASH='$2b$05$UsaZ/vChUJqurkDwlrDYAOB.4CBt1z7lSDtoTJ/aAQ4n6g3cIOe8.'

# make_ca DIR NAME: DIR/NAME.crt and DIR/NAME.key, a self-signed CA.
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj "/CN=$2" -keyout "$1/$2.key" -out "$1/$2.crt" 2>>"$1/openssl.log" ||
    fail "openssl could not make CA $2: $(tail -n 3 "$1/openssl.log")"
}

# make_cert DIR NAME CA [SAN]: DIR/NAME.crt and DIR/NAME.key, signed by DIR/CA.
make_cert() {
  local dir=$1 name=$2 ca=$3 san=${4:-}
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>>"$dir/openssl.log" ||
    fail "openssl could not make a key for $name"
  local extensions=()
  if [ -n "$san" ]; then
    printf 'subjectAltName=%s\n' "$san" >"$dir/$name.ext"
    extensions=(-extfile "$dir/$name.ext")
  fi
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" \
    -CAcreateserial -days 1 -out "$dir/$name.crt" "${extensions[@]}" 2>>"$dir/openssl.log" ||
    fail "openssl could not sign $name: $(tail -n 3 "$dir/openssl.log")"
}
