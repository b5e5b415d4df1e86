import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Generated malformed CSVs: every run must either load every row or fail cleanly with
/// nothing written. Deterministic: a fixed seed, so a failure reproduces.
@Suite struct RandomInputTests {
    /// SplitMix64: small, fast, and the same on every platform.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func file(seed: UInt64) -> (bytes: [UInt8], rows: Int) {
        var random = Generator(state: seed)
        var lines = ["org_code,n,d"]
        let rows = Int.random(in: 1...8, using: &random)
        for row in 0..<rows {
            var fields = ["G\(Int.random(in: 1...4, using: &random))", "\(row)", "2024-01-\(String(format: "%02d", Int.random(in: 1...28, using: &random)))"]
            switch Int.random(in: 0..<70, using: &random) {
            case 0: fields.append("extra")
            case 1: fields.removeLast()
            case 2: fields[1] = "x\(row)"
            case 3: fields[2] = "2024-13-40"
            case 4: fields[0] = "\"G\(row)"
            case 5: fields[0] = ""
            case 6: fields[1] = ""
            case 7: fields[0] = "\"G,\(row)\""
            case 8: fields[0] = "\"multi\nline\""
            default: break
            }
            lines.append(fields.joined(separator: ","))
        }
        var bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        if Int.random(in: 0..<10, using: &random) == 0 {
            bytes.insert([0xFF, 0x00, 0xC3][Int.random(in: 0..<3, using: &random)], at: Int.random(in: 13..<bytes.count, using: &random))
        }
        return (bytes, rows)
    }

    @Test func generatedMalformedFilesLoadCompletelyOrNotAtAll() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text REFERENCES org, n int NOT NULL, d date);
            """)
        var loaded = 0, failed = 0
        for seed in UInt64(1)...60 {
            let (bytes, rows) = Self.file(seed: seed)
            let path = try db.csvFile("")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let before = try db.checksum(["org", "fact"])
            let factsBefore = try db.count("fact")
            do {
                let report = try db.load("fact", input: .csv(path: path, options: CSVOptions()))
                // Loaded: every data record of the file, no more, no less.
                #expect(report.inserted + report.rejected == report.staged, "seed \(seed)")
                #expect(try db.count("fact") == factsBefore + report.inserted, "seed \(seed)")
                #expect(report.staged <= rows, "seed \(seed)")
                loaded += 1
            } catch let error as FKBackfillError {
                #expect([.findings, .usage, .database].contains(error.category), "seed \(seed): \(error)")
                #expect(!error.message.isEmpty && !error.message.contains("\n"), "seed \(seed)")
                #expect(try db.checksum(["org", "fact"]) == before, "seed \(seed): something was written")
                failed += 1
            }
            #expect(!db.connection.inTransaction)
        }
        // The generator produces both outcomes.
        #expect(loaded > 5 && failed > 5, "loaded \(loaded), failed \(failed)")
    }
}
