@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The break the seventh sweep found and mended, reduced to the tables that show it.
@Suite struct RealSchemaSweep7MendTests {
    /// OpenStreetMap's `status user_status_enum DEFAULT 'pending'::user_status_enum NOT
    /// NULL` and MusicBrainz's `cover_art_presence NOT NULL DEFAULT 'absent'`. Seen: the
    /// standby named every such column "left to a DEFAULT that calls the user's code", not
    /// evaluated, beside the ones that do call it: the DEFAULT depends on the enum type,
    /// which counted as the user's code like a function (nor was it computed for a new
    /// parent row or checked for NULL as other constants are). Should:
    /// an enum constant is computed as any constant (enum_in is built in); a DEFAULT calling
    /// the user's function is still named. A key at a DEFAULT is not backfilled (every row
    /// takes it; PostgreSQL's check decides): both validates and the load agree, whether
    /// the parent has the enum value or not.
    @Test(arguments: ["active", "pending"])
    func anEnumDefaultIsAConstantNotTheUsersCode(_ keyAtDefault: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TYPE user_status_enum AS ENUM ('pending', 'active', 'suspended');
            CREATE FUNCTION default_home_zoom() RETURNS smallint LANGUAGE plpgsql AS $$ BEGIN RETURN 3; END; $$;
            CREATE TABLE user_statuses (status user_status_enum PRIMARY KEY, label character varying DEFAULT ''::character varying NOT NULL);
            INSERT INTO user_statuses (status) VALUES ('active'), ('suspended');
            CREATE TABLE users (
                id bigint NOT NULL PRIMARY KEY,
                email character varying NOT NULL,
                status user_status_enum DEFAULT '\(keyAtDefault)'::user_status_enum NOT NULL REFERENCES user_statuses (status),
                home_zoom smallint DEFAULT default_home_zoom() NOT NULL);
            """)
        let csv = "id,email\n1,a@example.org\n2,b@example.org\n"
        let loads = keyAtDefault == "active"
        let reports = try db.validateBothWays("users", input: .csv(path: try db.csvFile(csv), options: CSVOptions()))
        for report in reports {
            #expect(report.wouldLoad == loads, "\(report.foreignKeys.flatMap(\.reasons)) \(report.prediction?.blockers ?? [])")
            #expect(!report.notExact.contains { $0.contains("status") }, "\(report.notExact)")
        }
        // The standby computed the key at its DEFAULT: the parent lacks it, named as such.
        #expect(reports[1].foreignKeys.flatMap(\.reasons).contains { $0.contains("key (status) = (pending), which") } == !loads,
                "\(reports[1].foreignKeys.flatMap(\.reasons))")
        // The user's function is still the insert's to run, and named where it is not tried.
        #expect(reports[1].notExact.contains { $0.contains("DEFAULT that calls the user's code (home_zoom)") }, "\(reports[1].notExact)")
        guard loads else {
            #expect(throws: FKBackfillError.self) { try db.load("users", csv: csv) }
            return
        }
        #expect(try db.load("users", csv: csv).inserted == 2)
        #expect(try db.values("SELECT DISTINCT status::text FROM users") == [["active"]])
    }
}
