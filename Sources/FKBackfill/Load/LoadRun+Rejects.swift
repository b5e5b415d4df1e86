import Foundation
import PostgresClient

/// Where rejected rows go: `--reject-file` (CSV: line, reason, the row's fields) and
/// `--reject-table` (a table of the user's, resolved to its schema before writing).
extension LoadRun {
    /// The input line of staged row `row`: the file's own line (header = 1) for a CSV.
    func line(ofRow row: Int) -> Int {
        lines?.line(ofRecord: row) ?? row
    }

    func writeRejects() throws {
        guard options.rejectFile != nil || options.rejectTable != nil else { return }
        // Input line of each rejected row: CSV lines (multi-line records counted), else row numbers.
        let linesTable: SQL = "pg_temp.fkb_lines"
        try session.execute("CREATE TEMP TABLE \(linesTable) (record bigint PRIMARY KEY, line bigint NOT NULL) ON COMMIT DROP")
        if let lines, !lines.breakpoints.isEmpty {
            let records = lines.breakpoints.map { String($0.0) }, numbers = lines.breakpoints.map { String($0.1) }
            try session.execute("INSERT INTO \(linesTable) SELECT * FROM unnest(CAST(\(bindArray: records) AS bigint[]), CAST(\(bindArray: numbers) AS bigint[]))")
        }
        let first = lines?.firstLine ?? 1
        let line: SQL = "coalesce((SELECT l.line + (s._fkb_row - l.record) FROM \(linesTable) l WHERE l.record <= s._fkb_row "
            + "ORDER BY l.record DESC LIMIT 1), \(int: first) + s._fkb_row - 1)"
        // The row's fields as read: from the text copy when there is one, else from the stage.
        let hasRaw = stagedAsText
        let fields = KeyPredicates.columns("r", opened.columns).joined(separator: ", ")
        let rows: SQL = hasRaw
            ? "FROM \(LoadStatements.stage) s JOIN \(TextStaging.raw) r ON r._fkb_row = s._fkb_row WHERE s._fkb_reject IS NOT NULL"
            : "FROM \(LoadStatements.stage) s CROSS JOIN LATERAL (SELECT s.*) r WHERE s._fkb_reject IS NOT NULL"
        if let path = options.rejectFile {
            guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
                throw FKBackfillError("cannot write the reject file \(path)", hint: "check the folder exists and is writable", kind: .cannotWrite)
            }
            defer { try? file.close() }
            try session.connection.copyOut(
                "COPY (SELECT \(line) AS line, s._fkb_reject AS reason, \(fields) \(rows) ORDER BY s._fkb_row) TO STDOUT WITH (FORMAT csv, HEADER)"
            ) { bytes in file.write(Data(bytes)) }
        }
        if options.rejectTable != nil, let name = rejectTable {
            try session.execute("CREATE TABLE IF NOT EXISTS \(name) (line bigint, reason text, original jsonb, "
                + "rejected_at timestamptz NOT NULL DEFAULT now())")
            // Without the stage's own columns (a blank key's input column too: `stagedInput`).
            let own = ["_fkb_row", "_fkb_reject"] + (hasRaw ? [] : sql.blanksNulledOnStaging.map { sql.stagedInput($0.name) })
            try session.execute("INSERT INTO \(name) (line, reason, original) SELECT \(line), s._fkb_reject, "
                + "to_jsonb(r) OPERATOR(pg_catalog.-) CAST(\(bindArray: own) AS pg_catalog.text[]) \(rows) ORDER BY s._fkb_row")
        }
    }
}
