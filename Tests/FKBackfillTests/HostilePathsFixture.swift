import Foundation
import TestSupport

/// The schema, files and commands of `HostileSchemaPathsTests`: every statement the tool
/// runs under the user's own search path that `HostileFixture` does not reach — a
/// fill-null-only parent with a JSON append, a parent whose BEFORE INSERT trigger assigns
/// its key (which read-only validate evaluates), a parent with a rule, parents in a cycle
/// (a column restored after their inserts), a target loaded before its cycle's parents
/// (the UPDATE restoring its column), a target whose cycle parent points back at it (set
/// after the fact insert), a deferred FK (`SET CONSTRAINTS ALL IMMEDIATE`), and a view
/// calling a user function and a table of other types read through a stage or a cursor.
///
/// The user's own code — the view's function, the `--query` — names pg_catalog's
/// functions and operators itself: on the user's path it resolves them as PostgreSQL
/// does, lookalikes included, which is no fault of the tool's. The key trigger is written
/// as PostgreSQL advises for CVE-2018-1058, with a `SET search_path` of its own and its
/// names bare: read-only validate, which evaluates its assignment outside the trigger,
/// must do so under that path, as the trigger runs.
enum HostilePathsFixture {
    static func create(_ db: TestDatabase) throws {
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text, label text, tags jsonb DEFAULT '[]', first_month date);
            INSERT INTO org VALUES ('O1', NULL, NULL, '["old"]', NULL);
            CREATE TABLE kind (code text PRIMARY KEY, label text);
            CREATE FUNCTION kind_key() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$ BEGIN
                NEW.code := upper(NEW.code);
                RETURN NEW;
            END $$;
            CREATE TRIGGER kind_key BEFORE INSERT ON kind FOR EACH ROW EXECUTE FUNCTION kind_key();
            CREATE TABLE channel (code text PRIMARY KEY);
            CREATE TABLE channel_log (code text);
            CREATE RULE channel_log AS ON INSERT TO channel DO ALSO INSERT INTO channel_log VALUES (NEW.code);
            CREATE TABLE dept (code text PRIMARY KEY, head text);
            CREATE TABLE emp (code text PRIMARY KEY, dept text NOT NULL REFERENCES dept);
            ALTER TABLE dept ADD FOREIGN KEY (head) REFERENCES emp;
            CREATE TABLE sale (
                id int PRIMARY KEY, month date NOT NULL, org text REFERENCES org, kind text REFERENCES kind,
                channel text REFERENCES channel, emp text REFERENCES emp,
                dept text REFERENCES dept DEFERRABLE INITIALLY DEFERRED, amount numeric CHECK (amount >= 0));
            CREATE TABLE sale_raw (LIKE sale);
            INSERT INTO sale_raw VALUES (20, '2024-03-01', 'o3', 'K3', 'web', 'E3', 'D2', 7);
            CREATE TABLE sale_text (id text, month text, org varchar(10), kind text, channel text, emp text, dept text, amount float8);
            INSERT INTO sale_text VALUES ('40', '2024-04-01', 'O1', 'K1', 'web', 'E1', 'D1', 2.5);
            CREATE FUNCTION norm(v text) RETURNS text LANGUAGE sql AS $$ SELECT pg_catalog.upper(v) $$;
            CREATE VIEW sale_in AS SELECT id, month, norm(org) AS org, kind, channel, emp, dept, amount FROM sale_raw;
            \(TargetFirstCycle.schema)
            CREATE TABLE team (id text PRIMARY KEY, lead int);
            CREATE TABLE ticket (id int PRIMARY KEY, team text REFERENCES team, note text);
            ALTER TABLE team ADD FOREIGN KEY (lead) REFERENCES ticket;
            """)
    }

    static let saleRules = """
        tables:
          org:
            mode: fill_null_only
            columns:
              name: { from: emp, pick: max }
              label: { template: "{org}-{kind}" }
              tags: { sql: "jsonb_build_array(to_char(min(month), 'YYMM'))", json_append: true }
              first_month: { from: month, pick: min }
          kind:
            columns:
              label: { from: channel, pick: most_frequent }
          emp:
            columns:
              dept: { from: dept, pick: first }
          dept:
            columns:
              head: { from: emp, pick: last }
        """

    struct Files {
        var saleRules, nodeRules, ticketRules: String
        var january, february, march, nodes, tickets: String
    }

    static func files(_ db: TestDatabase) throws -> Files {
        let header = "id,month,org,kind,channel,emp,dept,amount\n"
        return Files(
            saleRules: try db.csvFile(saleRules),
            nodeRules: try db.csvFile("tables:\n  p1:\n    columns:\n      tid: { from: id, pick: first }\n"),
            ticketRules: try db.csvFile("tables:\n  team:\n    columns:\n      lead: { from: id, pick: max }\n"),
            january: try db.csvFile(header + """
                1,2024-01-01,O1,K1,web,E1,D1,10
                2,2024-01-01,O2,K2,shop,E2,D1,5
                3,2024-01-01,O1,K1,web,E1,D1,1

                """),
            february: try db.csvFile(header + """
                11,2024-02-01,O1,K4,mail,E4,D3,2
                12,2024-02-01,O4,K1,web,E1,D1,3

                """),
            march: try db.csvFile(header + """
                30,2024-03-01,O5,K5,fax,E5,D5,1
                31,2024-03-01,O5,K5,fax,E5,D5,not-a-number

                """),
            nodes: try db.csvFile("id,c1,up\n100,N2,\n101,K1,100\n102,N3,100\n"),
            tickets: try db.csvFile("id,team,note\n1,T1,a\n2,T1,b\n3,T2,c\n"))
    }

    /// Every command: loads, each validate (also run read-only by the test), a backfill.
    static func commands(schema s: String, files f: Files) -> [HostileFixture.Command] {
        func same(_ arguments: [String]) -> HostileFixture.Command { .init(dryRun: arguments, real: arguments) }
        func load(_ arguments: [String]) -> HostileFixture.Command { .init(dryRun: arguments + ["--dry-run"], real: arguments) }
        let sale = "\(s).sale"
        // The user's own query: its operator spelled out (see the type's doc).
        let query = "SELECT * FROM sale_raw WHERE amount OPERATOR(pg_catalog.>) 0"
        return [
            same(["validate", sale, "--csv", f.january, "--rules", f.saleRules]),
            same(["validate", sale, "--source", "sale_in", "--in-place", "--rules", f.saleRules]),
            same(["validate", sale, "--query", query, "--rules", f.saleRules]),
            same(["validate", sale, "--source", "sale_text", "--rules", f.saleRules]),
            same(["validate", "\(s).node", "--csv", f.nodes, "--rules", f.nodeRules]),
            same(["validate", "\(s).ticket", "--csv", f.tickets, "--rules", f.ticketRules]),
            load(["load", sale, "--csv", f.january, "--rules", f.saleRules, "--replace-by", "month"]),
            load(["load", sale, "--csv", f.january, "--rules", f.saleRules, "--replace-by", "month", "--fk-check", "per-row"]),
            load(["load", sale, "--csv", f.february, "--rules", f.saleRules, "--fk-check", "set-based"]),
            load(["backfill", sale, "--source", "sale_in", "--rules", f.saleRules]),
            load(["load", sale, "--source", "sale_in", "--rules", f.saleRules]),
            load(["load", sale, "--source", "sale_text", "--rules", f.saleRules, "--max-rejects", "0"]),
            load(["load", sale, "--csv", f.march, "--rules", f.saleRules, "--max-rejects", "1", "--reject-table", "\(s).rejects"]),
            load(["load", "\(s).node", "--csv", f.nodes, "--rules", f.nodeRules]),
            load(["load", "\(s).ticket", "--csv", f.tickets, "--rules", f.ticketRules]),
        ]
    }

    /// Markers in `--print-sql` output that the paths were reached.
    static func reached(schema s: String) -> [String: String] {
        [
            "fill-null-only update": "UPDATE \"\(s)\".\"org\" AS p SET",
            "parents' cycle column restored": "UPDATE \"\(s)\".\"dept\" AS p SET",
            "target cycle restored (target first)": "UPDATE \"\(s)\".\"node\" AS t SET",
            "cycle parent set after the target": "UPDATE \"\(s)\".\"team\" AS p SET",
            "key-assigning trigger evaluated": "fkb_u.fkb_k",
            "cursor over the input": "DECLARE fkb_input",
            "deferred constraints checked": "SET CONSTRAINTS ALL IMMEDIATE",
            "replaced rows deleted": "DELETE FROM \"\(s)\".\"sale\"",
            "typed rows held before printing": "CREATE TEMP TABLE pg_temp.fkb_typed",
        ]
    }
}
