#!/usr/bin/env bash
# Builds the release files and lays them out under .tmp/release/root/ as they install
# below a prefix:
#   bin/fkbackfill                                  the binary, with the Swift runtime and
#                                                   Foundation linked in statically: it needs
#                                                   libpq and the C and C++ runtimes (libc,
#                                                   libm, libstdc++, libgcc_s), no Swift
#   share/man/man1/fkbackfill.1, fkbackfill.*.1     one page for the tool and one per command,
#                                                   from swift-argument-parser's generate-manual
#                                                   plugin
#   share/bash-completion/completions/fkbackfill    completions from the binary itself
#   share/zsh/site-functions/_fkbackfill
#   share/fish/vendor_completions.d/fkbackfill.fish
#   share/doc/fkbackfill/                           README.md, every guide of docs/ (with
#                                                   schemas/) and examples/, which help texts
#                                                   and hints name (the binary finds them
#                                                   from its own path)
#
# The compiler's output goes to .tmp/release/build.log (the static Foundation library
# brings a linker warning about mktemp that is not ours); it is printed when a step fails,
# and its progress ([step/steps]) every 15 seconds meanwhile. The first build takes 3–8
# minutes on 2 cores; an unchanged tree takes seconds.
#
# FKB_RELEASE_CONFIG=debug lays out the debug build instead (into FKB_RELEASE_OUT,
# default .tmp/release): `make test` packages and installs the build its tests already
# made rather than compiling everything a second time in release mode. The executable
# links the Swift runtime and Foundation in either way (Package.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
swift=${SWIFT:-swift}
config=${FKB_RELEASE_CONFIG:-release}
out=${FKB_RELEASE_OUT:-.tmp/release}
root=$out/root
log=$out/build.log
mkdir -p "$out"
: >"$log"
# The same flags for both steps, so the plugin's build is the build (one, not two).
case $config in
    release) flags=(-c release -Xswiftc -static-stdlib) ;;
    # The Makefile's DEBUG_FLAGS (FKB_DEBUG_FLAGS), so this reuses the tests' build.
    # shellcheck disable=SC2206
    debug) flags=(-c debug ${FKB_DEBUG_FLAGS:-}) ;;
    *) echo "release: FKB_RELEASE_CONFIG is release or debug, not $config" >&2; exit 2 ;;
esac
started=$SECONDS

# Runs a step with its output in the log, printing the build's progress while it runs.
run() {
    "$@" >>"$log" 2>&1 &
    local pid=$! status=0 last="" seen=""
    while kill -0 "$pid" 2>/dev/null; do
        for _ in $(seq 1 15); do kill -0 "$pid" 2>/dev/null && sleep 1; done
        if kill -0 "$pid" 2>/dev/null; then
            # The plugin's own build of the package logs no steps until it ends: then
            # only the time shows, not a stale step of the tool's build.
            last=$(grep -oE '^\[[0-9]+/[0-9]+\] [^ ]+ [^ ]+' "$log" | tail -1 || true)
            if [ "$last" = "$seen" ]; then
                echo "release: $config build, $((SECONDS - started)) s, compiling" >&2
            else
                echo "release: $config build, $((SECONDS - started)) s: $last" >&2
                seen=$last
            fi
        fi
    done
    wait "$pid" || status=$?
    if [ "$status" -ne 0 ]; then
        cat "$log" >&2
        echo "release: failed: $*" >&2
        exit 1
    fi
}

# The plugin builds every product in the configuration, then writes the man pages.
run "$swift" package "${flags[@]}" generate-manual --multi-page --configuration "$config" \
    --date "$(git log -1 --format=%cs 2>/dev/null || date +%F)"
bin_dir=$("$swift" build "${flags[@]}" --show-bin-path)
pages=.build/plugins/GenerateManual/outputs/fkbackfill
[ -x "$bin_dir/fkbackfill" ] || { echo "release: no binary in $bin_dir" >&2; exit 1; }
ls "$pages"/*.1 >/dev/null 2>&1 || { echo "release: no man pages in $pages" >&2; exit 1; }

rm -rf "$root"
shared_exit_codes="2 bad usage or configuration (an unknown table, option or file, a problem in the rules file), \
3 a database error, 4 the connection was lost during the run, 130 and 143 interrupted by SIGINT and SIGTERM; \
in each of these cases nothing was written."
install -D -m 755 "$bin_dir/fkbackfill" "$root/bin/fkbackfill"
strip "$root/bin/fkbackfill"
mkdir -p "$root/share/man/man1"
for page in "$pages"/*.1; do
    # generate-manual drops every non-ASCII character (business.规模明细 became
    # "business.") and lets man fill the examples into one paragraph: take each page's
    # "Example:" lines from the command's own --help instead, as a literal display. Blank
    # lines become paragraph breaks, which mdoc wants.
    command=$(basename "$page" .1); command=${command#fkbackfill}; command=${command#.}
    "$bin_dir/fkbackfill" $command --help | awk '/^Example:$/ { e = 1; next } e && /^  / { print; next } { e = 0 }' \
        | sed -e 's/\\/\\e/g' -e 's/^  //' >"$out/examples.txt"
    # EXIT STATUS: generate-manual writes only ".Ex -std" (">0 if an error occurs"); put
    # the command's own "Exit codes:" paragraph of --help there, and the codes every
    # command shares after it.
    "$bin_dir/fkbackfill" $command --help | awk '/^Exit codes:/ { e = 1 } e && /^$/ { e = 0; done = 1 } e && !done { sub(/^ +/, ""); printf "%s ", $0 } END { if (e || done) print "" }' \
        | sed -e 's/^Exit codes: //' -e 's/ $//' -e 's/\\/\\e/g' >"$out/exit.txt"
    [ -s "$out/exit.txt" ] || echo "0 success." >"$out/exit.txt"
    [ -z "$command" ] || echo "$shared_exit_codes" >>"$out/exit.txt"
    awk -v examples="$out/examples.txt" -v exits="$out/exit.txt" '
        /^Example:$/ {
            print; print ".Bd -literal -offset indent"
            while ((getline line < examples) > 0) print line
            print ".Ed"; skip = 1; next
        }
        skip && /^  / { next }
        { skip = 0 }
        /^\.Ex -std/ {
            first = 1
            while ((getline line < exits) > 0) { if (!first) print ".Pp"; print line; first = 0 }
            next
        }
        /^$/ { print ".Pp"; next }
        { print }
    ' "$page" >"$root/share/man/man1/$(basename "$page")"
done
doc=$root/share/doc/fkbackfill
install -D -m 644 README.md "$doc/README.md"
for file in docs/*.md docs/schemas/*; do install -D -m 644 "$file" "$doc/${file#docs/}"; done
for file in $(git ls-files examples 2>/dev/null || find examples -type f); do install -D -m 644 "$file" "$doc/$file"; done
"$root/bin/fkbackfill" --generate-completion-script bash | install -D -m 644 /dev/stdin "$root/share/bash-completion/completions/fkbackfill"
"$root/bin/fkbackfill" --generate-completion-script zsh | install -D -m 644 /dev/stdin "$root/share/zsh/site-functions/_fkbackfill"
"$root/bin/fkbackfill" --generate-completion-script fish | install -D -m 644 /dev/stdin "$root/share/fish/vendor_completions.d/fkbackfill.fish"
echo "release: $("$root/bin/fkbackfill" --version | sed -n 1,2p | tr '\n' ' ')in $root ($((SECONDS - started)) s; compiler output in $log)"
