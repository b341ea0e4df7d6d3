#!/usr/bin/env bash
# Another tool on the same journeys: bench/gen.sh's German onboarding journey written as Hurl
# files (https://hurl.dev), one file per journey, run by `hurl --test --jobs CONCURRENCY`
# against a mock served by this project's binary in its own process. The same requests as
# the runner sends, with the same outcomes asserted (person created, mobile number verified,
# account opening COMPLETED, card INACTIVE then ACTIVE); Hurl checks no JSON Schema.
#
# Usage: bench/hurl.sh N [CONCURRENCY]   (default 16); needs `hurl` on PATH and a release build
# (bench/run.sh builds one). Prints one line:
#   hurl <N> journeys: wall <s> s, <scenarios/s>/s, peak RSS <MiB> MiB, <passed> passed, <failed> failed
# Reports as the runner writes them: JUnit and HTML (`--report-junit`, `--report-html`).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:?usage: bench/hurl.sh N [CONCURRENCY]}
concurrency=${2:-16}
command -v hurl >/dev/null || { echo "hurl is not installed (cargo install hurl --locked)" >&2; exit 2; }
bin=target/release/solaris-conformance
[ -x "$bin" ] || { echo "no release build: cargo build --release" >&2; exit 2; }
time_bin=$(command -v /usr/bin/time || true)
dir="bench/suite-$n/hurl"
work=$(mktemp -d)
mock_pid=""
trap 'if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

# One journey, with the same requests as bench/gen.sh's scenario and the person data of
# examples/bare_journeys.rs: the mobile number differs for every journey, the name and birth
# date repeat every few hundred (the mock allows 1,000 identical persons, as the sandbox does).
journey() {
  local i=$1
  local suffix
  suffix=$(printf 'a%.0s' $(seq 1 $((i % 7 + 1))))
  cat <<HURL
POST {{base}}/v1/persons
Authorization: Bearer {{token}}
{
  "salutation": "MS", "first_name": "Bench Nr$suffix", "last_name": "Klemm",
  "address": {"line_1": "Leopoldstraße", "line_2": "96", "postal_code": "13347", "city": "Berlin", "country": "DE"},
  "mobile_number": "+49151$(printf '%08d' "$i")", "birth_date": "19$(printf '%02d' $((50 + i % 49)))-0$((i % 9 + 1))-1$((i % 9))",
  "birth_city": "Berlin", "birth_country": "DE", "nationality": "DE", "employment_status": "EMPLOYED",
  "tax_information": {"marital_status": "MARRIED"}, "fatca_relevant": false,
  "fatca_crs_confirmed_at": "2024-01-01T00:00:00Z", "terms_conditions_signed_at": "2024-01-01T00:00:00Z",
  "data_terms_signed_at": "2024-01-01T00:00:00Z", "own_economic_interest_signed_at": "2024-01-01T00:00:00Z"
}
HTTP 201
[Captures]
person: jsonpath "\$.id"

GET {{base}}/v1/persons/{{person}}
Authorization: Bearer {{token}}
HTTP 200

POST {{base}}/v1/persons/{{person}}/mobile_number
Authorization: Bearer {{token}}
{"number": "+49151$(printf '%08d' "$i")"}
HTTP 201

POST {{base}}/v1/persons/{{person}}/mobile_number/authorize
Authorization: Bearer {{token}}
{"number": "+49151$(printf '%08d' "$i")"}
HTTP *
[Asserts]
status < 300

POST {{base}}/v1/persons/{{person}}/mobile_number/confirm
Authorization: Bearer {{token}}
{"number": "+49151$(printf '%08d' "$i")", "token": "212212"}
HTTP *
[Asserts]
status < 300

GET {{base}}/v1/persons/{{person}}/mobile_number
Authorization: Bearer {{token}}
HTTP 200
[Asserts]
jsonpath "\$.verified" == true

POST {{base}}/v1/persons/{{person}}/tax_identifications
Authorization: Bearer {{token}}
{"country": "DE", "number": "48954371207", "primary": true}
HTTP 201

POST {{base}}/v1/persons/{{person}}/identifications
Authorization: Bearer {{token}}
{"method": "idnow", "language": "DE"}
HTTP 201
[Captures]
identification: jsonpath "\$.id"

PATCH {{base}}/v1/persons/{{person}}/identifications/{{identification}}/request
Authorization: Bearer {{token}}
{}
HTTP 200

POST {{base}}/simulator/persons/{{person}}/identifications/{{identification}}/outcome
Authorization: Bearer {{token}}
{"status": "successful"}
HTTP *
[Asserts]
status < 300

POST {{base}}/v1/accounts/opening_requests
Authorization: Bearer {{token}}
{"customer_id": "{{person}}", "customer_type": "Person", "product_name": "CURRENT_ACCOUNT_CONSUMER_GERMANY",
 "account_type": "CHECKING_PERSONAL", "account_currency": "EUR", "account_bic": "SOBKDEB2XXX", "account_purpose": "primary"}
HTTP *
[Captures]
opening: jsonpath "\$.id"
[Asserts]
status < 300

GET {{base}}/v1/accounts/opening_requests/{{opening}}
Authorization: Bearer {{token}}
[Options]
retry: 200
retry-interval: 50
HTTP 200
[Captures]
account: jsonpath "\$.account_id"
[Asserts]
jsonpath "\$.status" == "COMPLETED"

POST {{base}}/v1/persons/{{person}}/accounts/{{account}}/cards
Authorization: Bearer {{token}}
{"line_1": "BENCH WITHSTATICTOKEN/KLEMM", "type": "MASTERCARD_DEBIT"}
HTTP 201
[Captures]
card: jsonpath "\$.id"

GET {{base}}/v1/cards/{{card}}
Authorization: Bearer {{token}}
[Options]
retry: 200
retry-interval: 50
HTTP 200
[Asserts]
jsonpath "\$.status" == "INACTIVE"

POST {{base}}/v1/cards/{{card}}/activate
Authorization: Bearer {{token}}
{}
HTTP *
[Asserts]
status < 300

GET {{base}}/v1/cards/{{card}}
Authorization: Bearer {{token}}
HTTP 200
[Asserts]
jsonpath "\$.status" == "ACTIVE"
HURL
}

rm -rf "$dir"
mkdir -p "$dir"
for i in $(seq 1 "$n"); do journey "$i" >"$dir/journey-$(printf '%05d' "$i").hurl"; done

# A fresh mock for each run, as the runner gets in bench/run.sh; leaves $base and $token.
start_mock() {
  if [ -n "$mock_pid" ]; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
  fi
  "$bin" mock --port 0 >"$work/mock.log" 2>&1 &
  mock_pid=$!
  base=""
  for _ in $(seq 50); do grep -q "listening on" "$work/mock.log" && break; sleep 0.1; done
  base=$(grep -o 'http://[0-9.:]*' "$work/mock.log" | head -1)
  [ -n "$base" ] || { echo "the mock did not start:" >&2; cat "$work/mock.log" >&2; exit 1; }
  # One token for the run, as the runner fetches one and reuses it.
  token=$(curl -s -u mock-client:mock-secret -d grant_type=client_credentials "$base/oauth2/token" |
    sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
  [ -n "$token" ] || { echo "no token from $base/oauth2/token" >&2; exit 1; }
}

# Runs hurl with "$@" and the journeys; prints "<wall s> <peak RSS KiB> <passed> <failed>".
run_hurl() {
  local args=(--test --jobs "$concurrency" --variable "base=$base" --variable "token=$token" "$@"
    "$dir"/*.hurl)
  local start end
  start=$(date +%s.%N)
  if [ -n "$time_bin" ]; then
    "$time_bin" -f "%M" -o "$work/rss" hurl "${args[@]}" >"$work/log" 2>&1 || true
  else
    hurl "${args[@]}" >"$work/log" 2>&1 || true
    echo 0 >"$work/rss"
  fi
  end=$(date +%s.%N)
  # Hurl's summary: "Succeeded files: 998 (99.8%)" and "Failed files: 2 (0.2%)".
  local passed failed
  passed=$(sed -n 's/^Succeeded files: *\([0-9]*\).*/\1/p' "$work/log" | tail -1)
  failed=$(sed -n 's/^Failed files: *\([0-9]*\).*/\1/p' "$work/log" | tail -1)
  if [ -z "$passed" ]; then
    echo "hurl printed no summary:" >&2
    tail -20 "$work/log" >&2
    exit 1
  fi
  if [ "${failed:-0}" != 0 ]; then
    grep -m 5 -A 8 '^error' "$work/log" >&2 || true
  fi
  echo "$(echo "$end - $start" | bc -l) $(tail -1 "$work/rss") $passed ${failed:-0}"
}

# Prints one line of the result.
line() {
  local what=$1 wall rss passed failed
  read -r wall rss passed failed
  printf "hurl %d journeys, %s: wall %.2f s, %.0f/s, peak RSS %.0f MiB, %s passed, %s failed\n" \
    "$n" "$what" "$wall" "$(echo "$n / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$passed" "$failed"
}
start_mock
run_hurl | line "no report"
start_mock
# The reports Hurl offers that the runner also writes: JUnit and HTML.
run_hurl --report-junit "$work/junit.xml" --report-html "$work/html" | line "JUnit and HTML reports"
