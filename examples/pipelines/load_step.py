#!/usr/bin/env python3
"""A pipeline step that loads a CSV file with fkbackfill: the pattern of docs/pipelines.md.

Only the standard library (Python 3.8 or later): subprocess runs the tool, json reads its
report, and the exit code says what happened.

    python3 examples/pipelines/load_step.py TABLE CSV [--rejects fail|warn] [--max-rejects N]
                                            [--reject-file FILE] [--db CONNINFO]

It validates first (would the file load?), then loads. Rejected rows either fail the
step (--rejects fail: fkbackfill rolls everything back) or become a warning with their
reasons (--rejects warn: the rest loads). $FKBACKFILL names the binary (default:
fkbackfill on PATH). `make test` runs this file against its throwaway database
(Tests/FKBackfillTests/PipelineExampleTests.swift).

Exit status: 0 loaded (perhaps with warnings), 1 the input would not load or rows were
rejected, 2 bad usage or configuration, 3 database error, as fkbackfill's own.
"""

import argparse
import json
import os
import subprocess
import sys
import warnings

FKBACKFILL = os.environ.get("FKBACKFILL", "fkbackfill")

# The JSON shapes this code was written for (docs/json-output.md): a new major version
# may rename or remove fields, so refuse it rather than misread it.
SCHEMA_VERSION = 2

# fkbackfill's exit codes (fkbackfill --help).
SUCCESS, FINDINGS, USAGE, DATABASE, CONNECTION_LOST = 0, 1, 2, 3, 4


class FKBackfillFailed(Exception):
    """fkbackfill exited with an error: `code` is its exit code, `message` its error
    line without the `fkbackfill: error: ` prefix, `details` and `hints` the rest."""

    def __init__(self, code, stderr):
        self.code = code
        self.message, self.details, self.hints = "", [], []
        for line in stderr.splitlines():
            if line.startswith("fkbackfill: error: "):
                self.message = line[len("fkbackfill: error: "):]
            elif line.startswith("hint: "):
                self.hints.append(line[len("hint: "):])
            elif line.startswith("  - "):
                self.details.append(line[len("  - "):])
        super().__init__(self.message or stderr.strip() or f"fkbackfill exited with {code}")


class RowsRejected(Warning):
    """Rows were left out of a load that was allowed to reject some."""


def fkbackfill(*args, db=None, reports=(SUCCESS,)):
    """Runs `fkbackfill ARGS --format json` and returns (exit code, parsed JSON report).

    `reports` are the exit codes after which stdout holds a report: 0 for load and
    backfill, 0 and 1 for validate and audit (1 = findings, still a report). Any other
    exit raises FKBackfillFailed with the error and its hints.
    """
    command = [FKBACKFILL, *args, "--format", "json"]
    if db is not None:
        command += ["--db", db]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode not in reports:
        raise FKBackfillFailed(done.returncode, done.stderr)
    report = json.loads(done.stdout)
    if report.get("schemaVersion") != SCHEMA_VERSION:
        raise RuntimeError(f"fkbackfill wrote schemaVersion {report.get('schemaVersion')}, "
                           f"this step reads {SCHEMA_VERSION}: see docs/json-output.md")
    return done.returncode, report


def load_step(table, csv, rejects="fail", max_rejects=100, reject_file=None, db=None):
    """Validates, then loads `csv` into `table`; returns the load report.

    rejects="fail": no row may be rejected; a bad row fails the step and nothing is
    written. rejects="warn": up to `max_rejects` rows are set aside (into `reject_file`)
    with a RowsRejected warning, and the rest loads.
    """
    code, verdict = fkbackfill("validate", table, "--csv", csv, db=db, reports=(SUCCESS, FINDINGS))
    problems = [f"{c['column']}: {c['problem']} ({c['rows']} rows)" for c in verdict["columns"]]
    problems += [f"{fk['name']}: {fk['unfixableKeys']} keys cannot be backfilled" for fk in verdict["foreignKeys"]
                 if fk["unfixableKeys"] or fk["reasons"]]
    if code == FINDINGS and rejects == "fail":
        raise FKBackfillFailed(FINDINGS, "fkbackfill: error: the input would not load\n"
                               + "".join(f"  - {p}\n" for p in problems))

    args = ["load", table, "--csv", csv, "--max-rejects", str(max_rejects if rejects == "warn" else 0)]
    if reject_file:
        args += ["--reject-file", reject_file]
    _, report = fkbackfill(*args, db=db)
    if report["target"]["rejected"]:
        reasons = "; ".join(f"{r['rows']} x {r['reason']} (rows {', '.join(map(str, r['sampleRows']))})"
                            for r in report["rejections"])
        warnings.warn(f"{report['target']['rejected']} rows rejected from {csv}: {reasons}", RowsRejected)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table")
    parser.add_argument("csv")
    parser.add_argument("--rejects", choices=["fail", "warn"], default="fail")
    parser.add_argument("--max-rejects", type=int, default=100)
    parser.add_argument("--reject-file")
    parser.add_argument("--db")
    options = parser.parse_args()
    warnings.simplefilter("always")
    warnings.showwarning = lambda message, category, *_: print(f"warning: {message}", file=sys.stderr)
    try:
        report = load_step(options.table, options.csv, options.rejects, options.max_rejects,
                           options.reject_file, options.db)
    except FKBackfillFailed as failure:
        print(f"load_step: {failure}", file=sys.stderr)
        for line in failure.details:
            print(f"  - {line}", file=sys.stderr)
        for hint in failure.hints:
            print(f"  hint: {hint}", file=sys.stderr)
        return failure.code
    inserted = {parent["table"]["display"]: parent["inserted"] for parent in report["parents"] if parent["inserted"]}
    print(f"loaded {report['target']['inserted']} rows into {report['target']['table']['display']} "
          f"in {report['seconds']} s; new parent rows: {json.dumps(inserted, ensure_ascii=False)}")
    return SUCCESS


if __name__ == "__main__":
    sys.exit(main())
