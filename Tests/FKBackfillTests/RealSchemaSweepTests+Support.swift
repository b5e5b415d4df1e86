@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A real-schema sweep's fixture in schemas this test owns: the GitLab-style schema of
/// Tests/Fixtures/realschema/app.sql (`s12app` → the test's schema, `s12ci` → another of
/// its own) or the Discourse/ERP-style one of realschema2 (`s14app`, `s14wh`), citext
/// wherever StoredTruthTests put it, with the session's search_path the application's, as
/// `ALTER DATABASE … SET search_path` gives it: their trigger functions use unqualified names.
struct RealSchema {
    /// Which fixture: its folder, and the two schema names its files use.
    struct Fixture: Sendable {
        let folder: String, app: String, second: String, suffix: String
    }
    static let gitlab = Fixture(folder: "Tests/Fixtures/realschema/", app: "s12app", second: "s12ci", suffix: "ci")
    static let forum = Fixture(folder: "Tests/Fixtures/realschema2/", app: "s14app", second: "s14wh", suffix: "wh")

    let fixture: Fixture
    let db: TestDatabase
    let app: String, second: String, ext: String
    /// Run on the standby's connection after its search_path (a `SET ROLE`, request
    /// settings): the primary's session as the test set it.
    var session: String?
    var ci: String { second }
    var wh: String { second }

    init(_ fixture: Fixture = RealSchema.gitlab) throws {
        self.fixture = fixture
        db = try TestDatabase()
        app = db.schema
        second = try db.makeSchema(fixture.suffix)
        // Teardown's OrphanOracle checks the per-partition clones of an FK to a partitioned
        // parent too (false orphans: a row of partition 100's key is missing from 101) and
        // reads an inheritance parent without ONLY; `orphans(in:on:)` below runs instead.
        db.expectsOrphans = true
        ext = try StoredTruthTests.extensions(db).citext
        try db.run(try rename(text("app.sql")))
    }

    func text(_ file: String) throws -> String {
        try String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent(fixture.folder + file), encoding: .utf8)
    }

    /// The fixture's schema names replaced by this test's.
    func rename(_ text: String) -> String {
        text.replacingOccurrences(of: fixture.app, with: app).replacingOccurrences(of: fixture.second, with: second)
            .replacingOccurrences(of: "fkb_ext", with: ext)
    }

    /// `app.table` or `ci.table` for a fixture name `s12app.table`.
    func table(_ name: String) -> String { rename(name) }

    /// A connection to the hot standby once it has replayed the schema, with the same search_path.
    func standby() throws -> Connection {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        try standby.execute("SET search_path TO \(ident: app), \(ident: second), \(ident: ext), public")
        if let session { try standby.executeScript(unsafeRaw: session) }
        return standby
    }

    /// A staging table `name` of text columns holding the CSV file, for `--source` and `--query`.
    func stage(_ file: String, as name: String) throws {
        let csv = try text(file)
        let header = csv.prefix { $0 != "\n" }.split(separator: ",").map { "\(ident: String($0)) text" as SQL }
        try db.connection.execute("CREATE TABLE \(ident: app).\(ident: name) (\(header.joined(separator: ", ")))")
        _ = try db.connection.copyIn("COPY \(ident: app).\(ident: name) FROM STDIN WITH (FORMAT csv, HEADER)") { try $0.write(csv) }
    }
}

/// One target of the sweep: an input of a few hundred rows with the load's options.
struct SweepCase: CustomTestStringConvertible, Sendable {
    enum Input: Sendable { case csv(String), source(String), query(String) }
    var name: String
    var table: String
    var input: Input
    var rules: String?
    var maxRejects = 0
    var replaceBy: [String] = []
    /// Whether the load commits, as the sweep saw it (so that a case cannot pass by both
    /// sides failing for a reason nobody meant, e.g. a broken fixture).
    var commits = true
    /// The staging table a `source`/`query` input reads, from this CSV file.
    var staged: (file: String, table: String)?

    var testDescription: String { name }

    func source(_ schema: RealSchema) throws -> InputSource {
        if let staged { try schema.stage(staged.file, as: staged.table) }
        switch input {
        case .csv(let file): return .csv(path: TestDatabase.repositoryRoot.appendingPathComponent(schema.fixture.folder + file).path, options: CSVOptions())
        case .source(let table): return .table("\(schema.app).\(table)")
        case .query(let sql): return .query(schema.rename(sql))
        }
    }

    func parsedRules(_ schema: RealSchema) throws -> Rules {
        guard let rules else { return .none }
        return try RulesParser.parse(schema.rename(try schema.text(rules)), file: rules)
    }

    static func csv(_ name: String, _ table: String, _ file: String, rules: String? = nil, maxRejects: Int = 0, replaceBy: [String] = [],
                    commits: Bool = true) -> SweepCase {
        SweepCase(name: name, table: table, input: .csv(file), rules: rules, maxRejects: maxRejects, replaceBy: replaceBy, commits: commits)
    }

    /// Where the sweep found validate and the load agreeing (primary and standby).
    static let agreeing: [SweepCase] = [
        csv("inheritance parent: a key only the child has is missing", "s12app.audit_event_streaming_headers",
            "audit_event_streaming_headers.csv", rules: "audit_event_streaming_headers.rules.yaml"),
        csv("job artifacts, job 900 only in ci_builds_archived", "s12ci.ci_job_artifacts", "ci_job_artifacts.csv", maxRejects: 5),
        csv("ci_builds: composite FK to ci_stages, new pipelines", "s12ci.ci_builds", "ci_builds.csv", rules: "ci_builds.rules.yaml", maxRejects: 5),
        csv("ci_pipelines: new merge requests of the MR/diff cycle", "s12ci.ci_pipelines", "ci_pipelines.csv", rules: "ci_pipelines.rules.yaml", maxRejects: 5),
        csv("deployments: new environments, slug from a trigger", "s12app.deployments", "deployments.csv", rules: "deployments.rules.yaml"),
        csv("members reloaded by source", "s12app.members", "members.csv", rules: "members.rules.yaml", maxRejects: 5, replaceBy: ["source_type", "source_id"]),
        csv("merge_request_diffs: the target in the MR/diff cycle", "s12app.merge_request_diffs", "merge_request_diffs.csv",
            rules: "merge_request_diffs.rules.yaml", maxRejects: 5),
        csv("merge_request_diff_commits: composite key", "s12app.merge_request_diff_commits", "merge_request_diff_commits.csv",
            rules: "merge_request_diff_commits.rules.yaml", maxRejects: 5),
        csv("diff_note_positions: a partly NULL MATCH FULL key stops both", "s12app.diff_note_positions", "diff_note_positions.csv",
            rules: "diff_note_positions.rules.yaml", maxRejects: 50, commits: false),
        csv("release_links: new releases, a URL CHECK", "s12app.release_links", "release_links.csv", rules: "release_links.rules.yaml", maxRejects: 5),
        csv("issue_assignees reloaded by issue, duplicates set aside", "s12app.issue_assignees", "issue_assignees.csv",
            rules: "issue_assignees.rules.yaml", maxRejects: 200, replaceBy: ["issue_id"]),
        csv("issues: a CHECK stops both", "s12app.issues", "issues.csv", rules: "issues.rules.yaml", commits: false),
        csv("issues: new projects with a path rule, milestones, users", "s12app.issues", "issues.csv", rules: "issues_path.rules.yaml", maxRejects: 5),
        csv("users: new groups would all take namespace 1", "s12app.users", "users.csv", rules: "users_one_namespace.rules.yaml", maxRejects: 5, commits: false),
        csv("user_details reloaded by user", "s12app.user_details", "user_details_existing.csv", replaceBy: ["user_id"]),
        csv("trace metadata: an integer/bigint FK to a list-partitioned parent", "s12ci.ci_build_trace_metadata", "ci_build_trace_metadata.csv"),
        csv("ci_builds of a pipeline reloaded, one row in ci_builds_archived", "s12ci.ci_builds", "ci_builds_pipeline1.csv", replaceBy: ["pipeline_id"]),
        SweepCase(name: "members from a --source table of text", table: "s12app.members", input: .source("members_raw"),
                  rules: "members.rules.yaml", maxRejects: 5, staged: ("members.csv", "members_raw")),
        SweepCase(name: "ci_builds from a --query", table: "s12ci.ci_builds",
                  input: .query("SELECT id, pipeline_id, stage_name, project_id, user_id, name, status FROM s12app.builds_raw WHERE status <> 'done'"),
                  rules: "ci_builds.rules.yaml", staged: ("ci_builds.csv", "builds_raw")),
    ]

    /// Where the sweep found them disagreeing and the mends made them agree: parents'
    /// triggers that fill NOT NULL columns or trim and upper-case new keys, read from the
    /// catalog on the standby too; a parent's AFTER INSERT trigger writing the target's
    /// rows, which the staged validate now tries.
    static let mended: [SweepCase] = [
        // Read-only evaluates the new keys' routing (Validator+ParentRouting.swift).
        csv("trace metadata: a new key in partition 102, which the parent has not", "s12ci.ci_build_trace_metadata",
            "ci_build_trace_metadata_p102.csv", commits: false),
        csv("user_details of new users reloaded by user: the trigger's rows are deleted", "s12app.user_details", "user_details_newusers.csv",
            rules: "user_details_newusers.rules.yaml", replaceBy: ["user_id"]),
        csv("project_licenses: the licenses trigger trims a new key", "s12app.project_licenses", "project_licenses_padded.csv", commits: false),
        csv("user_details reloaded: the countries trigger upper-cases a new code", "s12app.user_details", "user_details_lowercase.csv",
            replaceBy: ["user_id"], commits: false),
        csv("events (partitioned): projects.path is filled by a trigger", "s12app.events", "events.csv", rules: "events.rules.yaml", maxRejects: 5),
        csv("merge_requests: projects.path is filled by a trigger", "s12app.merge_requests", "merge_requests.csv",
            rules: "merge_requests.rules.yaml", maxRejects: 5),
        csv("groups: namespaces.path is filled by a trigger", "s12app.groups", "groups_given_namespace.csv", rules: "groups_given_namespace.rules.yaml"),
        // A parent's partial unique index on an expression, evaluated on its new rows' one path (issue 29).
        csv("groups: new namespaces all get one path, a partial unique index on lower(path)", "s12app.groups", "groups_same_path.csv",
            rules: "groups_same_path.rules.yaml", commits: false),
    ]

    /// Where the standby still cannot say what only an insert tells, named in notExact:
    /// a new user's AFTER INSERT trigger writing the detail row the input then clashes
    /// with. (A partition the parent lacks for a new key is evaluated since the ninth session.)
    static let disagreeing: [SweepCase] = [
        csv("user_details of new users: the users trigger writes their details first", "s12app.user_details", "user_details_newusers.csv",
            rules: "user_details_newusers.rules.yaml", commits: false),
    ]
}

extension RealSchema {
    /// Orphans as PostgreSQL's own check (ri_triggers.c) finds them: `FROM ONLY` the parent
    /// unless it is partitioned (an inheritance child's row is no parent row), the FK's
    /// operators with the operands cast to their input types, MATCH FULL's partly NULL keys.
    /// One line per FK with orphans. (OrphanOracle reads the parent without ONLY.)
    static func orphans(in schemas: [String], on connection: Connection) throws -> [String] {
        let statements = try connection.execute("""
            SELECT pg_catalog.format('SELECT count(*) AS n FROM %I.%I c WHERE (%s AND NOT EXISTS (SELECT 1 FROM %s %I.%I p WHERE %s))%s',
                cn.nspname, cr.relname,
                (SELECT pg_catalog.string_agg(pg_catalog.format('c.%I IS NOT NULL', a.attname), ' AND ')
                   FROM pg_catalog.unnest(c.conkey) k(n) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
                CASE WHEN pr.relkind = 'p' THEN '' ELSE 'ONLY' END, pn.nspname, pr.relname,
                (SELECT pg_catalog.string_agg(pg_catalog.format('CAST(p.%I AS %s) OPERATOR(%I.%s) CAST(c.%I AS %s)', pa.attname,
                        pg_catalog.format_type(o.oprleft, NULL), o.oprnamespace::regnamespace::text, o.oprname, ca.attname,
                        pg_catalog.format_type(o.oprright, NULL)), ' AND ' ORDER BY k.i)
                   FROM ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey), pg_catalog.unnest(c.conpfeqop)) WITH ORDINALITY k(ck, pk, op, i)
                   JOIN pg_catalog.pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.ck
                   JOIN pg_catalog.pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.pk
                   JOIN pg_catalog.pg_operator o ON o.oid = k.op),
                CASE WHEN c.confmatchtype = 'f' AND pg_catalog.cardinality(c.conkey) > 1 THEN
                    (SELECT pg_catalog.format(' OR pg_catalog.num_nulls(%s) BETWEEN 1 AND %s',
                            pg_catalog.string_agg(pg_catalog.format('c.%I', a.attname), ', '), pg_catalog.cardinality(c.conkey) - 1)
                       FROM pg_catalog.unnest(c.conkey) k(n) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n)
                ELSE '' END) AS statement, c.conname, cr.relname
            FROM pg_catalog.pg_constraint c
            JOIN pg_catalog.pg_class cr ON cr.oid = c.conrelid JOIN pg_catalog.pg_namespace cn ON cn.oid = cr.relnamespace
            JOIN pg_catalog.pg_class pr ON pr.oid = c.confrelid JOIN pg_catalog.pg_namespace pn ON pn.oid = pr.relnamespace
            WHERE c.contype = 'f' AND c.conparentid = 0 AND cn.nspname = ANY(CAST(\(bindArray: schemas) AS name[]))
            """)
        var found: [String] = []
        for row in statements.rows {
            // Built by format() from the catalog: names quoted with %I, types from format_type, operators from pg_operator.
            let count = try connection.execute(SQL(unsafeRaw: try row.string("statement"))).rows[0].int("n") ?? 0
            if count > 0 { found.append("\(try row.string("conname")) on \(try row.string("relname")): \(count) rows") }
        }
        return found
    }
}
