#!/usr/bin/env bash
# Installs what building and testing need, only when missing:
# libpq-dev and pkg-config (build), postgresql (server for tests and demo),
# graphviz (renders the DOT output in tests), libxml2 (FoundationXML in tests),
# and for the release files and their tests: binutils (strip), dpkg (dpkg-deb),
# man-db and groff-base (man -l), python3 (the pipeline example), chromium (the HTML
# and SVG reports are loaded in headless Chromium by the browser tests).
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
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
