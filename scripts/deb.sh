#!/usr/bin/env bash
# Packages the release files (scripts/release.sh) as a .deb that installs under /usr:
#   scripts/deb.sh STAGE OUTDIR    → OUTDIR/fkbackfill_VERSION_ARCH.deb
# The binary carries the Swift runtime and Foundation, so the package needs only libpq5
# and the C and C++ runtimes every Debian system has. Man pages and the changelog are
# gzipped, as Debian does; the docs (README.md, docs/*.md, examples) come from the stage,
# the Debian copyright file and changelog are written here. Built to pass lintian
# without errors (copyright, changelog, md5sums, root-owned files, stripped binary).
set -euo pipefail
stage=${1:?usage: deb.sh STAGE OUTDIR}
out=${2:?usage: deb.sh STAGE OUTDIR}
version=$("$stage/bin/fkbackfill" --version | sed -n 's/^fkbackfill //p')
arch=$(dpkg --print-architecture)
tree=$out/tree
rm -rf "$out"
mkdir -p "$tree/DEBIAN" "$tree/usr"
cp -a "$stage/." "$tree/usr/"
gzip -9n "$tree"/usr/share/man/man1/*.1
doc=$tree/usr/share/doc/fkbackfill
mkdir -p "$doc"
commit=$("$stage/bin/fkbackfill" --version | sed -n 's/^commit //p')
maintainer="fkbackfill maintainers <maintainers@fkbackfill.invalid>"
# A native package's changelog (no Debian revision in the version): changelog.gz.
cat >"$doc/changelog" <<CHANGELOG
fkbackfill ($version) unstable; urgency=medium

  * Release $version, built from commit $commit.
    The project's history is its git log.

 -- $maintainer  $(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")
CHANGELOG
gzip -9n "$doc/changelog"
cat >"$doc/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: fkbackfill
Comment: The binary links in the Swift runtime and Foundation (Apache-2.0 with
 Runtime Library Exception), swift-argument-parser, swift-log (Apache-2.0) and
 Yams (MIT, with libyaml's MIT code).

Files: *
Copyright: the fkbackfill authors
License: other
 The fkbackfill source repository states no license of its own; ask the
 maintainers before redistributing.
COPYRIGHT
cat >"$tree/DEBIAN/control" <<CONTROL
Package: fkbackfill
Version: $version
Architecture: $arch
Maintainer: fkbackfill maintainers <maintainers@fkbackfill.invalid>
Depends: libpq5, libc6, libgcc-s1, libstdc++6
Section: database
Priority: optional
Installed-Size: $(du -sk "$tree/usr" | cut -f1)
Description: backfill missing parent rows, then load facts, in PostgreSQL
 fkbackfill reads foreign keys from the PostgreSQL catalog, inserts the parent
 rows a CSV file, table or query lacks (in dependency order) and loads the
 fact rows set-based, in one transaction. It also validates inputs, audits
 which keys a load could not backfill, and prints the parent graph.
CONTROL
(cd "$tree" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$tree/DEBIAN/md5sums"
# xz at level 1: 11 s and 18 MB here, where the default level took 50 s for 15 MB.
dpkg-deb --root-owner-group -Zxz -z1 --build "$tree" "$out/fkbackfill_${version}_${arch}.deb" >/dev/null
rm -rf "$tree"
echo "deb: $out/fkbackfill_${version}_${arch}.deb"
