#!/usr/bin/env bash
# The programs the tests talk to that are not Java libraries, installed in this one place: the
# README's test command (mvn -B verify) runs this script before the tests (pom.xml, execution
# "test-tools"), and nothing else installs anything. A tool already on the PATH is left alone.
# Installing needs root (apt-get); without root, the missing tools are named and the build stops.
#
#   command       Debian package   used by
#   openssl       openssl          test certificates (TLS listener, broker TLS, OAuth client certificates)
#   swaks         swaks            SMTP listener tests: a real, scriptable SMTP client
#   python3       python3          SMTP listener tests: Python's smtplib as a client
#   smtp-source   postfix          SMTP listener tests: Postfix's load generator (the daemon is stopped)
#   setpriv       util-linux       the unprivileged-start test (runs the gateway as nobody)
#   pg_ctl        postgresql       ledger tests: a throw-away PostgreSQL server (the package's own cluster is stopped)
#   chromium      chromium         console tests: a real browser, headless
#   chromedriver  chromium-driver  console tests: Selenium drives chromium through it
#   node, npm     nodejs, npm      webhook tests: the Standard Webhooks reference verifier (npm
#                                  standardwebhooks, pinned in test-tools/webhook-verifier), installed
#                                  with npm ci into test-tools/webhook-verifier/node_modules
set -euo pipefail

TOOLS=(
  "openssl openssl"
  "swaks swaks"
  "python3 python3"
  "smtp-source postfix"
  "setpriv util-linux"
  "pg_ctl postgresql"
  "chromium chromium"
  "chromedriver chromium-driver"
  "node nodejs"
  "npm npm"
)

# the npm packages the tests run, at the versions of package-lock.json; after the Debian packages
verifier() {
  local dir
  dir="$(dirname "$0")/webhook-verifier"
  if [[ ! -d "$dir/node_modules/standardwebhooks" ]]; then
    echo "test-tools: npm ci in $dir"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
}

found() {
  local dir
  # Debian keeps PostgreSQL's server programs off the PATH, in one folder per major version
  for dir in /usr/bin /usr/sbin /usr/local/bin /bin /sbin /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/$1" ]] && return 0
  done
  return 1
}

missing=()
for entry in "${TOOLS[@]}"; do
  read -r command package <<<"$entry"
  found "$command" || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  verifier
  echo "test-tools: all present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "test-tools: missing Debian packages: ${missing[*]} — install them (sudo apt-get install ${missing[*]}) or run the tests as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive  # no debconf questions (postfix asks for a mail setup)
echo "test-tools: installing ${missing[*]}"
if ! apt-get install -y -q "${missing[@]}"; then
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi
if printf '%s\n' "${missing[@]}" | grep -qx postfix; then
  # the package starts its daemon: never leave anything listening on port 25
  postfix stop >/dev/null 2>&1 || true
fi
if printf '%s\n' "${missing[@]}" | grep -qx postgresql; then
  # the package creates and starts a cluster on port 5432: the tests start their own servers
  pg_lsclusters -h 2>/dev/null | while read -r version cluster _; do
    pg_ctlcluster "$version" "$cluster" stop >/dev/null 2>&1 || true
  done
fi
for entry in "${TOOLS[@]}"; do
  read -r command package <<<"$entry"
  found "$command" || { echo "test-tools: '$command' is still missing after installing $package" >&2; exit 1; }
done
verifier
echo "test-tools: installed ${missing[*]}"
