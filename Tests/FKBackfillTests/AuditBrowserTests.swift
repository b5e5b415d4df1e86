import FKBackfill
import Foundation
import Testing
import TestSupport

/// `audit --format html` and `graph --format svg|html` in a real browser: Debian's
/// headless Chromium (scripts/install-deps.sh installs it; without it these tests fail,
/// they never skip). What the page shows is checked by DOM queries that a probe script
/// runs inside the loaded page (filters set as a user would, sorting clicked, the
/// resources the page fetched), never by comparing pixels. Screenshots are kept in
/// .tmp/test-files/screenshots/ for a person to look at.
@Suite struct AuditBrowserTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    static let screenshots: URL = {
        let url = TestFiles.directory.appendingPathComponent("screenshots", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Runs headless Chromium with a profile, cache and home inside the clone.
    func chromium(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let path = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else {
            throw BrowserMissing(description: "no chromium: the browser tests need it; scripts/install-deps.sh (make test) installs it")
        }
        let profile = try TestFiles.makeDirectory()
        defer { try? FileManager.default.removeItem(at: profile) }
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = profile.path
        environment["XDG_CONFIG_HOME"] = profile.path
        environment["XDG_CACHE_HOME"] = profile.path
        return try run(path, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                              "--disable-background-networking", "--user-data-dir=\(profile.path)", "--hide-scrollbars"] + arguments,
                       environment: environment)
    }

    struct BrowserMissing: Error, CustomStringConvertible { var description: String }

    /// The page with a probe appended: it queries the DOM, drives the filters and the
    /// sort, and writes what it saw as JSON into `<pre id="probe">`, which `--dump-dom`
    /// then shows. The probe is inline, which the page's CSP allows; nothing else is.
    func probe(_ html: String, fragment: String = "", script: String) throws -> [String: Any] {
        let page = TestFiles.url(suffix: ".html")
        defer { try? FileManager.default.removeItem(at: page) }
        let probe = "<script>window.addEventListener('load', function () { var r = {}; try {\n\(script)\n} catch (e) { r.error = String(e); }"
            + " var p = document.createElement('pre'); p.id = 'probe'; p.textContent = JSON.stringify(r); document.body.appendChild(p); });</script>"
        try html.replacingOccurrences(of: "</body>", with: probe + "</body>").write(to: page, atomically: true, encoding: .utf8)
        let dump = try chromium(["--virtual-time-budget=5000", "--dump-dom", page.absoluteString + fragment])
        #expect(dump.status == 0, "\(dump.stderr)")
        guard let start = dump.stdout.range(of: "<pre id=\"probe\">"),
              let end = dump.stdout.range(of: "</pre>", range: start.upperBound..<dump.stdout.endIndex) else {
            Issue.record("no probe result in the DOM: \(dump.stdout.prefix(500)) \(dump.stderr.suffix(500))")
            return [:]
        }
        let json = String(dump.stdout[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        return try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
    }

    func screenshot(_ file: URL, fragment: String = "", name: String, size: String = "1400,1100") throws {
        let target = Self.screenshots.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        let shot = try chromium(["--window-size=\(size)", "--virtual-time-budget=3000", "--screenshot=\(target.path)", file.absoluteString + fragment])
        #expect(shot.status == 0, "\(shot.stderr)")
        let bytes = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int) ?? 0
        #expect(bytes > 1_000, "screenshot \(target.path) is \(bytes) bytes")
    }

    func makeSchema(_ db: TestDatabase) throws {
        try db.run("""
            CREATE TABLE region (id int PRIMARY KEY, name text NOT NULL);
            CREATE TABLE users (id int PRIMARY KEY, email text, region_id int NOT NULL REFERENCES region);
            CREATE TABLE teams (id int PRIMARY KEY, lead_id int);
            CREATE TABLE members (id int PRIMARY KEY, team_id int REFERENCES teams, user_id int REFERENCES users);
            ALTER TABLE teams ADD CONSTRAINT teams_lead FOREIGN KEY (lead_id) REFERENCES members;
            CREATE TABLE events (id bigint, at date NOT NULL, user_id int NOT NULL REFERENCES users, team_id int REFERENCES teams,
                                 PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
            CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
            """)
    }

    @Test func theAuditPageFiltersSortsAndDrawsAPartitionedTableOffline() throws {
        let db = try TestDatabase()
        try makeSchema(db)
        let audit = try run(binary, ["audit", "--schema", db.schema, "--format", "html"])
        #expect(audit.status == 1, "\(audit.stderr)")  // uncovered FKs are errors
        let html = audit.stdout
        let events = "\(db.schema).events"
        let result = try probe(html, script: """
            var $ = function (s) { return document.querySelector(s); };
            var rows = Array.prototype.slice.call(document.querySelectorAll('#finding-list .finding'));
            var visible = function () { return rows.filter(function (x) { return !x.hidden; }); };
            r.summary = !!$('#summary #coverage') && !!$('#by-severity') && !!$('#by-kind') && !!$('#by-schema');
            r.uncoveredCount = $('#coverage tr.st-uncovered td').textContent;
            r.rows = rows.length;
            r.kinds = rows.map(function (x) { return x.dataset.kind; }).filter(function (k, i, a) { return a.indexOf(k) === i; }).sort();
            var kind = $('#f-kind'); kind.value = 'missing-index'; kind.dispatchEvent(new Event('change'));
            r.afterKind = visible().map(function (x) { return x.dataset.kind; });
            r.countText = $('#f-count').textContent;
            kind.value = ''; kind.dispatchEvent(new Event('change'));
            var text = $('#f-text'); text.value = 'teams_lead'; text.dispatchEvent(new Event('input'));
            r.afterText = visible().map(function (x) { return x.children[2].textContent; });
            text.value = ''; text.dispatchEvent(new Event('input'));
            var sev = $('#f-severity'); sev.value = 'error'; sev.dispatchEvent(new Event('change'));
            r.afterSeverity = visible().map(function (x) { return x.dataset.severity; });
            sev.value = ''; sev.dispatchEvent(new Event('change'));
            var table = $('#f-table'); table.value = 'events'; table.dispatchEvent(new Event('input'));
            r.afterTable = visible().map(function (x) { return x.dataset.table; });
            table.value = ''; table.dispatchEvent(new Event('input'));
            document.querySelector('#finding-list [data-sort="2"]').click();
            r.sortedObjects = Array.prototype.map.call(document.querySelectorAll('#finding-list .finding'), function (x) { return x.children[2].textContent; });
            var section = document.querySelector('section.table[data-table="\(events)"]');
            r.partitionSection = !!section && section.textContent.indexOf('partitioned: 3 partitions') >= 0;
            r.partitionDiagramRoot = section ? section.querySelectorAll('svg .n.root').length : -1;
            r.partitionDiagramNodes = section ? Array.prototype.map.call(section.querySelectorAll('svg .n'), function (n) { return n.dataset.table; }) : [];
            r.partitionNote = section ? !!section.querySelector('svg text.note') : false;
            r.linksResolve = Array.prototype.every.call(document.querySelectorAll('a[href^="#t"]:not([href*="="])'), function (a) { return !!document.getElementById(a.getAttribute('href').slice(1)); });
            r.cycleEdges = document.querySelectorAll('svg .e.cyc').length;
            r.uncoveredEdges = document.querySelectorAll('svg .e.unc').length;
            r.external = Array.prototype.filter.call(document.querySelectorAll('[src],[href]'), function (e) {
              return /^(https?:)?\\/\\//i.test(e.getAttribute('src') || e.getAttribute('href') || ''); }).length;
            r.csp = ($('meta[http-equiv="Content-Security-Policy"]') || {}).content || '';
            r.resources = performance.getEntriesByType('resource').map(function (e) { return e.name; });
            r.arrowheads = !!document.getElementById('fkd-arrow');
            """)
        #expect(result["error"] == nil, "\(result)")
        #expect(result["summary"] as? Bool == true)
        #expect(Int(result["uncoveredCount"] as? String ?? "") ?? 0 > 0)
        let kinds = result["kinds"] as? [String] ?? []
        #expect(kinds.contains("missing-index") && kinds.contains("uncovered-fk"), "\(kinds)")
        let afterKind = result["afterKind"] as? [String] ?? []
        #expect(!afterKind.isEmpty && afterKind.allSatisfy { $0 == "missing-index" })
        #expect(result["countText"] as? String == "\(afterKind.count) of \(result["rows"] as? Int ?? -1) findings")
        let afterText = result["afterText"] as? [String] ?? []
        #expect(afterText.count >= 1 && afterText.count < result["rows"] as? Int ?? 0, "\(afterText)")
        let afterSeverity = result["afterSeverity"] as? [String] ?? []
        #expect(!afterSeverity.isEmpty && afterSeverity.allSatisfy { $0 == "error" })
        let afterTable = result["afterTable"] as? [String] ?? []
        #expect(!afterTable.isEmpty && afterTable.allSatisfy { $0 == events }, "\(afterTable)")
        let sorted = result["sortedObjects"] as? [String] ?? []
        #expect(sorted.count == result["rows"] as? Int && sorted == sorted.sorted(), "\(sorted)")
        #expect(result["partitionSection"] as? Bool == true)
        #expect(result["partitionDiagramRoot"] as? Int == 1)
        #expect((result["partitionDiagramNodes"] as? [String] ?? []).contains("\(db.schema).users"))
        #expect(result["partitionNote"] as? Bool == true)
        #expect(result["linksResolve"] as? Bool == true)
        #expect(result["cycleEdges"] as? Int ?? 0 > 0)
        #expect(result["uncoveredEdges"] as? Int ?? 0 > 0)
        #expect(result["external"] as? Int == 0)
        #expect((result["csp"] as? String ?? "").hasPrefix("default-src 'none'"))
        #expect((result["resources"] as? [Any])?.isEmpty == true, "\(result["resources"] ?? "")")
        #expect(result["arrowheads"] as? Bool == true)

        // A table section's findings link: the address sets the list's filter.
        let link = try #require(html.firstMatch(of: /<a href="(#table=[^"]*\.events)">/)).1
        let linked = try probe(html, fragment: String(link), script: """
            var rows = Array.prototype.slice.call(document.querySelectorAll('#finding-list .finding'));
            r.visible = rows.filter(function (x) { return !x.hidden; }).map(function (x) { return x.dataset.table; });
            r.rows = rows.length;
            """)
        let visible = linked["visible"] as? [String] ?? []
        #expect(!visible.isEmpty && visible.count < linked["rows"] as? Int ?? 0 && visible.allSatisfy { $0 == events }, "\(linked)")

        let page = Self.screenshots.appendingPathComponent("audit.html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        try screenshot(page, name: "audit-summary.png")
        // Headless Chromium draws a blank viewport after scrolling to an anchor, so the
        // table sections are seen in a window tall enough for the whole page.
        try screenshot(page, name: "audit-full-page.png", size: "1400,4200")
        try screenshot(page, fragment: "#kind=missing-index", name: "audit-filtered.png")
    }

    @Test func graphSVGAndHTMLOpenInTheBrowser() throws {
        let db = try TestDatabase()
        try makeSchema(db)
        let svg = try run(binary, ["graph", "\(db.schema).events", "--format", "svg"])
        #expect(svg.status == 0, "\(svg.stderr)")
        let file = Self.screenshots.appendingPathComponent("graph.svg")
        try svg.stdout.write(to: file, atomically: true, encoding: .utf8)
        let dom = try chromium(["--dump-dom", file.absoluteString])
        #expect(dom.status == 0, "\(dom.stderr)")
        // The browser parsed it as SVG: every table is a node, the cycle is marked.
        for table in ["events", "users", "region", "members", "teams"] {
            #expect(dom.stdout.contains("data-table=\"\(db.schema).\(table)\""), "\(table)")
        }
        #expect(dom.stdout.contains("class=\"e brk cyc\"") || dom.stdout.contains("class=\"e cyc\""))
        #expect(!dom.stdout.contains("parsererror"))
        try screenshot(file, name: "graph-svg.png", size: "1000,500")

        let html = try run(binary, ["graph", "\(db.schema).events", "--format", "html"])
        #expect(html.status == 0, "\(html.stderr)")
        let result = try probe(html.stdout, script: """
            r.nodes = document.querySelectorAll('.diagram svg .n').length;
            r.sections = document.querySelectorAll('section.table').length;
            r.linked = Array.prototype.every.call(document.querySelectorAll('.diagram svg a'), function (a) { return !!document.getElementById(a.getAttribute('href').slice(1)); });
            r.resources = performance.getEntriesByType('resource').length;
            """)
        #expect(result["nodes"] as? Int == 5 && result["sections"] as? Int == 5, "\(result)")
        #expect(result["linked"] as? Bool == true && result["resources"] as? Int == 0)
    }
}
