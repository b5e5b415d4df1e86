import Foundation
import Testing
import TestSupport

/// A CSV of `rows` lines after `header`, each `awk`'s `printf` of `format` with the line's
/// index (from 0) for every `%d` given as `i` in `arguments` (e.g. `"key-%09d,%d\n"`,
/// `"i, i"`), written by awk into a fresh test file: a million lines in a second, where
/// building the text in the debug test process took several (time the run spends on
/// nothing the memory proofs are about).
func generatedCSV(_ db: TestDatabase, header: String, rows: Int, format: String, arguments: String) throws -> String {
    let path = try db.csvFile(header + "\n")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/awk")
    process.arguments = ["-v", "n=\(rows)", "BEGIN { for (i = 0; i < n; i++) printf \"\(format)\", \(arguments) }"]
    let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    file.seekToEndOfFile()
    process.standardOutput = file
    try process.run()
    process.waitUntilExit()
    try file.close()
    try #require(process.terminationStatus == 0, "awk wrote \(path)")
    return path
}

/// The CLI (`FKBACKFILL_BIN`) validating `csv` for `table` read-only on the primary
/// (`default_transaction_read_only = on`, so the CSV is streamed), under GNU time
/// (scripts/install-deps.sh installs it): its exit status, its JSON, and its peak RSS in
/// MiB. The child's own rusage counts; the test process's pages are not the child's.
func readOnlyValidationPeak(_ db: TestDatabase, table: String, csv: String, arguments extra: [String] = []) throws -> (status: Int32, output: String, peakMiB: Int) {
    let environment = ProcessInfo.processInfo.environment
    let binary = try #require(environment["FKBACKFILL_BIN"], "FKBACKFILL_BIN names the built CLI")
    let peakFile = try db.csvFile("")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
    process.arguments = ["-f", "%M", "-o", peakFile, binary, "validate", "\(db.schema).\(table)", "--csv", csv, "--format", "json"] + extra
    var childEnvironment = environment
    childEnvironment["PGOPTIONS"] = "-c default_transaction_read_only=on"
    process.environment = childEnvironment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    // GNU time writes "Command exited with non-zero status 1" first when the run says "would not load".
    let lastLine = try String(contentsOfFile: peakFile, encoding: .utf8).split(separator: "\n").last.map(String.init) ?? ""
    let peakKiB = Int(lastLine.trimmingCharacters(in: .whitespacesAndNewlines)) ?? Int.max
    return (process.terminationStatus, String(decoding: data, as: UTF8.self), peakKiB / 1024)
}
