#!/usr/bin/env bash
# Installs what building and testing need, only when missing:
# libpq-dev and pkg-config (build), postgresql (server for tests and demo),
# graphviz (renders the DOT output in tests), libxml2 (FoundationXML in tests),
# and for the release files and their tests: binutils (strip), dpkg (dpkg-deb),
# man-db and groff-base (man -l), python3 (the pipeline example), chromium (the HTML
# and SVG reports are loaded in headless Chromium by the browser tests).
#
# It never upgrades a package that is already installed: a missing package whose
# dependencies would upgrade installed ones (a newer postgresql-client wanting a newer
# libpq5, say) is refused with the list, because upgrading a server or library under
# running clusters breaks them (plpgsql.so no longer loads until they restart). This is
# the one step that changes the machine; the tests and the cluster scripts install
# nothing (Citus runs from a private server tree in .tmp, see scripts/citus-cluster.sh).
set -euo pipefail
missing=()
have_server() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
have_server || missing+=(postgresql)
[ -f /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
# FoundationXML (the tests' JUnit checks) loads libxml2 at run time.
ls /usr/lib/*/libxml2.so.2 >/dev/null 2>&1 || missing+=(libxml2)
command -v strip >/dev/null 2>&1 || missing+=(binutils)
command -v dpkg-deb >/dev/null 2>&1 || missing+=(dpkg)
command -v man >/dev/null 2>&1 || missing+=(man-db)
command -v groff >/dev/null 2>&1 || missing+=(groff-base)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# AuditBrowserTests open `audit --format html` and `graph --format svg` in it (about
# 100 MB once; each test run then takes a few seconds of browser time).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The benchmark measures peak memory with GNU time, and computes with bc.
[ -x /usr/bin/time ] || missing+=(time)
command -v bc >/dev/null 2>&1 || missing+=(bc)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# A simulated install first: "Inst NAME [OLD] (NEW …)" is an upgrade of an installed package.
upgrades=$($sudo apt-get install -s --no-install-recommends "${missing[@]}" | sed -nE 's/^Inst ([^ ]+) \[([^]]+)\] \(([^ ]+).*/\1 \2 -> \3/p')
if [ -n "$upgrades" ]; then
    echo "install-deps: installing ${missing[*]} would upgrade installed packages; not done:" >&2
    echo "$upgrades" | sed 's/^/  /' >&2
    echo "install-deps: install them by hand at the installed versions, or upgrade the machine when no cluster runs" >&2
    exit 1
fi
$sudo apt-get install -y -qq --no-install-recommends --no-upgrade "${missing[@]}" >/dev/null
