@testable import FKBackfill
import PostgresClient
import Testing

/// An FKBackfillError keeps the database's error behind it, every field and the failed
/// statement, so callers (and the executable's hints) branch on SQLSTATE, never on text.
@Suite struct ErrorCauseTests {
    static let server: PostgresError = {
        var error = PostgresError(
            kind: .server, message: "insert or update on table \"fact\" violates foreign key constraint \"fact_org_fkey\"",
            sqlState: SQLState.foreignKeyViolation, detail: "Key (org)=(G9) is not present in table \"org\".",
            constraint: "fact_org_fkey", schema: "s", table: "fact", column: nil)
        error.statement = "INSERT INTO s.fact SELECT * FROM pg_temp.fkb_stage"
        return error
    }()

    @Test func aDatabaseErrorKeepsItsCause() {
        let error = FKBackfillError(Self.server)
        #expect(error.kind == .database(sqlState: SQLState.foreignKeyViolation))
        #expect(error.cause?.constraint == "fact_org_fkey")
        #expect(error.cause?.table == "fact")
        #expect(error.cause?.schema == "s")
        #expect(error.cause?.detail == "Key (org)=(G9) is not present in table \"org\".")
        #expect(error.cause?.statement == "INSERT INTO s.fact SELECT * FROM pg_temp.fkb_stage")
    }

    @Test func everyWrappedKindKeepsItsCause() throws {
        let lock = PostgresError(kind: .server, message: "canceling statement due to lock timeout", sqlState: SQLState.lockNotAvailable)
        #expect(FKBackfillError(lock).kind == .lockTimeout)
        #expect(FKBackfillError(lock).cause?.sqlState == SQLState.lockNotAvailable)
        let lost = PostgresError(kind: .connectionLost, message: "server closed the connection unexpectedly")
        #expect(FKBackfillError(lost).kind == .connectionLost)
        #expect(FKBackfillError(lost).cause?.kind == .connectionLost)
        var copy = PostgresError(kind: .server, message: "extra data after last expected column", sqlState: SQLState.badCopyFileFormat)
        copy.context = "COPY fkb_stage, line 2: \"a,b,c\""
        let input = FKBackfillError(input: "in.csv", copy, headerLines: 1)
        #expect(input.kind == .badInput(line: 3))
        #expect(input.cause?.sqlState == SQLState.badCopyFileFormat)
        let mapped = try #require(throws: FKBackfillError.self) { try FKBackfillError.mapping { throw Self.server } }
        #expect(mapped.cause?.constraint == "fact_org_fkey")
    }
}

/// A hot standby that cancels a long validate to replay the primary: the error says so,
/// with what to set, whether it came as an ERROR or as the connection's FATAL end.
@Suite struct RecoveryConflictTests {
    @Test(arguments: [PostgresError.Kind.server, .connectionLost])
    func aRecoveryConflictSaysWhatToSet(_ kind: PostgresError.Kind) {
        let conflict = PostgresError(
            kind: kind, message: "canceling statement due to conflict with recovery", sqlState: SQLState.serializationFailure,
            detail: "User query might have needed to see row versions that must be removed.")
        let error = FKBackfillError(conflict)
        #expect(error.message.hasPrefix("the hot standby canceled this run to replay the primary's changes"))
        #expect(error.hint?.contains("hot_standby_feedback = on") == true)
        #expect(error.kind == (kind == .connectionLost ? .connectionLost : .database(sqlState: SQLState.serializationFailure)))
        // A serialization failure on the primary is not one.
        let serialization = PostgresError(kind: .server, message: "could not serialize access due to concurrent update", sqlState: SQLState.serializationFailure)
        #expect(!FKBackfillError(serialization).message.contains("hot standby"))
    }
}
