@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

extension RealSchema {
    /// The fifth sweep's fixture: Django's, Supabase's and Keycloak's tables in `s20app` (the
    /// application's `public`) and Supabase's `auth` schema (`s20auth`),
    /// Tests/Fixtures/realschema5/app.sql.
    static let apps = Fixture(folder: "Tests/Fixtures/realschema5/", app: "s20app", second: "s20auth", suffix: "auth")

    /// The API role app.sql creates for this schema (`s20app_authenticated`, renamed).
    var apiRole: String { "\(app)_authenticated" }

    /// Logs in as Supabase's API does: the `authenticated` role, not the owner (so row-level
    /// security applies), with the JWT's claims for `sub`, on this connection and the standby's.
    mutating func signIn(as user: String) throws {
        session = "SET request.jwt.claims = '{\"sub\": \"\(user)\", \"role\": \"authenticated\"}'; SET ROLE \(apiRole)"
        try db.run(session!)
    }

    /// The role is the cluster's, not the schema's: dropped with what it was granted.
    func dropRole() {
        _ = try? db.connection.execute("RESET ROLE")
        _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(apiRole); DROP ROLE \(apiRole)")
    }
}

/// A case of the fifth sweep: the shared `SweepCase`, and whether it runs signed in as a
/// Supabase user (row-level security applies) rather than as the tables' owner.
struct AppCase: CustomTestStringConvertible, Sendable {
    var sweep: SweepCase
    var signedIn = false
    var testDescription: String { sweep.name }

    static let ada = "00000000-0000-4000-8000-000000000001"

    static func csv(_ name: String, _ table: String, _ file: String, rules: String? = nil, maxRejects: Int = 0, replaceBy: [String] = [],
                    commits: Bool = true, signedIn: Bool = false) -> AppCase {
        AppCase(sweep: .csv(name, "s20app." + table, file, rules: rules, maxRejects: maxRejects, replaceBy: replaceBy, commits: commits),
                signedIn: signedIn)
    }
}

/// The fifth real-schema sweep, as an outside tester on application schemas this tool's
/// users load reference data into (Tests/Fixtures/realschema5/app.sql, in the projects' own
/// DDL habits): Django (every FK DEFERRABLE INITIALLY DEFERRED, no column defaults, jsonb
/// NOT NULL, a FK to a slug, m2m through tables, content types by (app_label, model)),
/// Supabase (auth.users by uuid, a SECURITY DEFINER handle_new_user() trigger, enum keys,
/// row-level security with auth.uid() policies, loads signed in as the API role) and
/// Keycloak (varchar(36) ids, composite keys, a composite FK to (realm_id, username), a
/// group tree referencing itself). Each case holds validate on the primary (staged) and on
/// the hot standby (read-only) against `load --dry-run`, then runs the real load and checks
/// for orphans (`SweepOutcome`).
@Suite(.timeLimit(.minutes(30))) struct RealSchemaSweep5Tests {
    static let cases: [AppCase] = [
        // Django.
        .csv("auth_permission: new content types by id, (app_label, model) from the input", "auth_permission", "auth_permission.csv"),
        .csv("auth_user_groups: new users and groups, deferred FKs, rules for every NOT NULL", "auth_user_groups", "auth_user_groups.csv",
             rules: "auth_user_groups.rules.yaml"),
        .csv("auth_user_groups: new users without rules (no column has a default)", "auth_user_groups", "auth_user_groups.csv", commits: false),
        .csv("auth_user_groups: the deferred FK to auth_user skipped, PostgreSQL checks it at commit", "auth_user_groups",
             "auth_user_groups_skip.csv", rules: "auth_user_groups_skip.rules.yaml", commits: false),
        .csv("shop_product: new categories by slug, jsonb NOT NULL from a rule, qty CHECK set aside", "shop_product", "shop_product.csv",
             rules: "shop_product.rules.yaml", maxRejects: 5),
        .csv("shop_product: new categories, jsonb NOT NULL without a rule", "shop_product", "shop_product.csv", maxRejects: 5, commits: false),
        .csv("shop_category: a deferred self-reference, parents later in the file and one nowhere", "shop_category", "shop_category.csv",
             rules: "shop_category.rules.yaml"),
        .csv("shop_orderline: new products of a new category, quantity CHECK set aside", "shop_orderline", "shop_orderline.csv",
             rules: "shop_orderline.rules.yaml", maxRejects: 5),
        .csv("shop_orderline: the same CHECKs over --max-rejects 2", "shop_orderline", "shop_orderline.csv",
             rules: "shop_orderline.rules.yaml", maxRejects: 2, commits: false),
        .csv("shop_orderline: orders reloaded by order_ref", "shop_orderline", "shop_orderline_reload.csv",
             rules: "shop_orderline.rules.yaml", replaceBy: ["order_ref"]),
        AppCase(sweep: SweepCase(name: "shop_orderline from a --source table of text", table: "s20app.shop_orderline", input: .source("lines_raw"),
                                 rules: "shop_orderline.rules.yaml", maxRejects: 5, staged: ("shop_orderline.csv", "lines_raw"))),
        AppCase(sweep: SweepCase(name: "shop_orderline from a --query without the refused rows", table: "s20app.shop_orderline",
                                 input: .query("SELECT * FROM s20app.lines_raw WHERE quantity::int >= 0"),
                                 rules: "shop_orderline.rules.yaml", staged: ("shop_orderline.csv", "lines_raw"))),
        // Supabase, signed in as the API role where the app would be.
        .csv("todos of the signed-in user: RLS on the target", "todos", "todos.csv", signedIn: true),
        .csv("todo_comments of the signed-in user's todo, user_id DEFAULT auth.uid()", "todo_comments", "todo_comments.csv", signedIn: true),
        .csv("messages: new channels, RLS on target and parent", "messages", "messages.csv", rules: "messages.rules.yaml", signedIn: true),
        .csv("invites: emails unique by lower(email)", "invites", "invites.csv", rules: "invites.rules.yaml", commits: false, signedIn: true),
        .csv("user_roles: a new enum label's roles row, new auth.users by uuid", "user_roles", "user_roles.csv", rules: "user_roles.rules.yaml"),
        .csv("user_roles: a label the enum does not have", "user_roles", "user_roles_editor.csv", rules: "user_roles_editor.rules.yaml",
             commits: false),
        .csv("user_roles: a label the enum does not have, set aside", "user_roles", "user_roles_editor.csv", rules: "user_roles_editor.rules.yaml",
             maxRejects: 1),
        // Keycloak.
        .csv("keycloak_group: the group tree, parents later in the file and two nowhere", "keycloak_group", "keycloak_group.csv",
             rules: "keycloak_group.rules.yaml"),
        .csv("group_role_mapping: new roles and groups, composite key", "group_role_mapping", "group_role_mapping.csv",
             rules: "group_role_mapping.rules.yaml"),
        .csv("group_role_mapping: new groups without realm_id", "group_role_mapping", "group_role_mapping.csv", commits: false),
        .csv("user_attribute_import: new users by (realm_id, username), ids from gen_random_uuid()", "user_attribute_import",
             "user_attribute_import.csv", rules: "user_attribute_import.rules.yaml"),
        .csv("user_attribute_import: new users without an id rule", "user_attribute_import", "user_attribute_import.csv", commits: false),
    ]

    @Test(arguments: cases)
    func validateAgreesWithTheLoad(_ c: AppCase) throws {
        var schema = try RealSchema(RealSchema.apps)
        defer { schema.dropRole() }
        if c.signedIn { try schema.signIn(as: AppCase.ada) }
        let outcome = try SweepOutcome(c.sweep, schema)
        try schema.db.run("RESET ROLE")
        try outcome.expectAgreement(c.sweep, schema)
    }

    /// Where the verdicts agree with the load (and the staged prediction's counts with the
    /// dry run's) but the two validates' FK tables do not. Recorded, not mended:
    /// - an FK the input has no column of, filled by its DEFAULT ('member'::app_role) whose
    ///   key the parent lacks: the staged FK table leaves the FK out (its prediction names
    ///   "2 rows violate invites_role_fkey"); the standby lists it with 0 violating rows and
    ///   0 missing keys beside "cannot fix: role not in the input: every row takes its DEFAULT";
    /// - a self-referencing target reloaded by --replace-by whose input references a row the
    ///   DELETE removes (Keycloak's root group): the staged FK table counts missing keys
    ///   before the DELETE (2: g-9999, g-0030), its own prediction and the standby after it
    ///   (3 new rows, g-root-0001 too, as the load inserts).
    static let fkTablesDiffer: [AppCase] = [
        .csv("invites without a role column: its DEFAULT 'member' is a label roles has no row for", "invites", "invites_default_role.csv",
             commits: false),
        .csv("keycloak_group: the realm's groups reloaded by realm_id, a deleted root re-made for its children", "keycloak_group",
             "keycloak_group.csv", rules: "keycloak_group.rules.yaml", replaceBy: ["realm_id"]),
    ]

    @Test(arguments: fkTablesDiffer)
    func theVerdictsAgreeButTheFKTablesDiffer(_ c: AppCase) throws {
        let schema = try RealSchema(RealSchema.apps)
        defer { schema.dropRole() }
        let outcome = try SweepOutcome(c.sweep, schema)
        let (staged, readOnly) = (try outcome.staged.get(), try outcome.readOnly.get())
        let loads = (try? outcome.load.get()) != nil
        #expect(loads == c.sweep.commits && staged.wouldLoad == loads && readOnly.wouldLoad == loads, "\(readOnly.notExact)")
        if let report = try? outcome.dryRun.get() {
            #expect(staged.prediction?.inserted == report.inserted && staged.prediction?.parents.map(\.inserted) == report.parents.map(\.inserted).filter { $0 > 0 })
        }
        withKnownIssue("the staged and standby FK tables differ: \(c.sweep.name)") {
            try outcome.expectAgreement(c.sweep, schema)
        }
    }

    /// Where the standby says "would load" and the load fails, with the reason named in
    /// notExact (the primary tries the insert and agrees with the load): what only an
    /// insert tells. Recorded, not mended:
    /// - a unique key of a parent over values derived per new key from the input (a new
    ///   content type id whose (app_label, model), most frequent of the same-named input
    ///   columns, is taken): read-only does not compute derived values (the fourth sweep's
    ///   SCD2 case is the same class, Validator+ReadOnlyParents.swift);
    /// - row-level security on the target for the loading role: its policies' WITH CHECK
    ///   (`(select auth.uid()) = user_id`) call code and read the session, and read-only
    ///   evaluates no such expression (TableFacts.Check.callsCode);
    /// - a new auth.users row's AFTER INSERT trigger (handle_new_user) writes the profile
    ///   the input then clashes with: the first sweep's user_details case, same class;
    /// - a todo another user's row the SELECT policy hides from the loading role: the load
    ///   takes it for missing and its insert clashes, and a new channel the policy's WITH
    ///   CHECK refuses (hostile review 23's class: named as a hidden key, though the
    ///   refusal here is of a new row).
    static let standbyCannotTell: [(AppCase, String)] = [
        (.csv("auth_permission: a new content type whose (app_label, model) is taken", "auth_permission", "auth_permission_taken.csv",
              commits: false), "unique index django_content_type_app_label_model_76bd3d3b_uniq"),
        (.csv("todos of another user: the policy's WITH CHECK refuses", "todos", "todos_other_user.csv", commits: false, signedIn: true),
         "row-level security on "),
        (.csv("todo_comments: a todo the SELECT policy hides is taken for missing, its insert clashes", "todo_comments",
              "todo_comments_hidden.csv", rules: "todo_comments_hidden.rules.yaml", commits: false, signedIn: true),
         "todos applies to this role: keys it hides are counted missing here"),
        (.csv("messages: new channels created_by another user, channels' WITH CHECK refuses", "messages", "messages_other_creator.csv",
              rules: "messages_other_creator.rules.yaml", commits: false, signedIn: true),
         "channels applies to this role: keys it hides are counted missing here"),
        (.csv("profiles of new users: handle_new_user() writes them first", "profiles", "profiles_new_users.csv", commits: false),
         "triggers on "),
    ]

    @Test(arguments: standbyCannotTell)
    func theStandbyNamesWhatItCannotTell(_ c: AppCase, _ named: String) throws {
        var schema = try RealSchema(RealSchema.apps)
        defer { schema.dropRole() }
        if c.signedIn { try schema.signIn(as: AppCase.ada) }
        let outcome = try SweepOutcome(c.sweep, schema)
        try schema.db.run("RESET ROLE")
        let readOnly = try outcome.readOnly.get()
        #expect(readOnly.notExact.contains { $0.contains(named) }, "\(c.sweep.name): \(readOnly.notExact)")
        withKnownIssue("the standby's verdict where only the insert can tell: \(c.sweep.name)") {
            try outcome.expectAgreement(c.sweep, schema)
        }
    }
}
