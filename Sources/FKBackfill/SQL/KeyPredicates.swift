import Foundation
import PostgresClient

/// The key predicates every statement shares, each written once: key match, the
/// missing-key anti-join, MATCH FULL's partly NULL key, and the blank test.
///
/// Keys are compared with the FK's own operators (`ForeignKey.equality`), as
/// PostgreSQL's RI trigger compares them.
enum KeyPredicates {
    /// `alias.column` for each name.
    static func columns(_ alias: SQL, _ names: [String]) -> [SQL] {
        names.map { "\(alias).\(ident: $0)" }
    }

    /// Referenced values `parent` equal to referencing values `child`, pair by pair, with
    /// the FK's operators.
    static func match(_ fk: ForeignKey, parent: [SQL], child: [SQL]) -> SQL {
        zip(zip(parent, child), fk.equality).map { pair, op in op.compare(pair.0, pair.1) }
            .joined(separator: " AND ")
    }

    /// `p.<referenced> = <child values>` for `fk`'s parent table aliased `p`, read as the
    /// RI check reads it (`rows(of:)`).
    static func parentHas(_ fk: ForeignKey, child: [SQL]) -> SQL {
        "EXISTS (SELECT 1 FROM \(referenced(fk)) p WHERE \(match(fk, parent: columns("p", fk.referencedColumns), child: child)))"
    }

    /// The referenced table as `ri_triggers.c` reads it: `ONLY` unless it is partitioned,
    /// so a key held by an inheritance child alone counts as missing, as it does for
    /// PostgreSQL's own check.
    static func referenced(_ fk: ForeignKey) -> SQL {
        fk.referencedPartitioned ? fk.referencedTable.sql : "ONLY \(fk.referencedTable)"
    }

    /// A table's own rows as the RI check reads them (see `referenced`).
    static func rows(of table: Table) -> SQL {
        table.kind == .partitioned ? table.name.sql : "ONLY \(table.name)"
    }

    /// A complete key the parent lacks: every column set and no matching parent row.
    /// A key with a NULL column is not checked (MATCH SIMPLE; MATCH FULL's partly NULL
    /// keys are `partlyNull`).
    static func missing(_ fk: ForeignKey, child: [SQL]) -> SQL {
        child.map { "\($0) IS NOT NULL" }.joined(separator: " AND ") + " AND NOT \(parentHas(fk, child: child))"
    }

    /// Some but not all of `values` NULL: what MATCH FULL refuses.
    static func partlyNull(_ values: [SQL]) -> SQL {
        "pg_catalog.num_nulls(\(values.joined(separator: ", "))) BETWEEN 1 AND \(int: values.count - 1)"
    }

    /// True when `value` is blank: empty or whitespace only, or one of the `markers`
    /// (a subquery of the markers as `text`). Whitespace is every Unicode white space
    /// character, as docs/rules.md promises, not only the ASCII space. Every name and
    /// operator qualified: the test is part of statements that run on the user's search
    /// path too (as `ri_triggers.c` writes its own).
    static func isBlank(_ value: SQL, markers: SQL?, unicode: Bool = true) -> SQL {
        let text: SQL = "CAST(\(value) AS pg_catalog.text)"
        let empty: SQL = "CAST('' AS pg_catalog.text)"
        let marked: SQL = markers.map { " OR \(text) OPERATOR(pg_catalog.=) ANY (\($0))" } ?? ""
        guard unicode else {
            // Not a UTF-8 database: no character past ASCII can be written in the
            // statement, so blanks are ASCII white space only (docs/rules.md says so).
            let test: SQL = "(\(text) COLLATE pg_catalog.\"C\" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) "
                + "AND pg_catalog.btrim(\(text), \(asciiWhitespace)) OPERATOR(pg_catalog.=) \(empty))"
            return "(\(test)\(marked))"
        }
        // Only an empty text or one starting with white space trims to ''. In byte order
        // (the C collation) such a text sorts below '!' (ASCII space and controls) or at or
        // above U+0085 (every other white space character is U+0085 or higher, and UTF-8
        // keeps code point order), so two byte comparisons spare most keys btrim's
        // multibyte scan: five FK columns' btrim cost a third of their COPY (issue #16).
        let test: SQL = "((\(text) COLLATE pg_catalog.\"C\" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) "
            + "OR \(text) COLLATE pg_catalog.\"C\" OPERATOR(pg_catalog.>=) CAST(E'\\u0085' AS pg_catalog.text)) "
            + "AND pg_catalog.btrim(\(text), \(unicodeWhitespace)) OPERATOR(pg_catalog.=) \(empty))"
        return "(\(test)\(marked))"
    }

    /// A key as people see it, to spot near-duplicates: surrounding white space and
    /// zero-width characters removed, NFKC-normalized (NFD → NFC, full-width → ASCII),
    /// lower case. Needs a UTF-8 database (`normalize`).
    ///
    /// Text of one byte a character is ASCII (UTF-8), which neither NFKC nor the zero-width
    /// and non-ASCII white space touch: its loose key is `lower(btrim(…))` alone, the same
    /// value for a quarter of the cost. Every existing key of the parent is made loose on
    /// each load with new keys, so this is what a parent of a million keys costs (2.4 →
    /// 0.64 s, docs/performance.md).
    static func looseKey(_ value: SQL) -> SQL {
        let text: SQL = "CAST(\(value) AS pg_catalog.text)"
        let trimmed: SQL = "pg_catalog.btrim(\(text), \(unicodeWhitespace))"
        let full: SQL = "pg_catalog.lower(pg_catalog.normalize(pg_catalog.translate(\(trimmed), \(zeroWidth), ''), 'NFKC'))"
        return "CASE WHEN pg_catalog.octet_length(\(text)) OPERATOR(pg_catalog.=) pg_catalog.char_length(\(text)) "
            + "THEN pg_catalog.lower(pg_catalog.btrim(\(text), \(asciiWhitespace))) ELSE \(full) END"
    }

    /// Tab, line feed, vertical tab, form feed, carriage return and space.
    static let asciiWhitespace: SQL = SQL(unsafeRaw: "E'\\u0009\\u000A\\u000B\\u000C\\u000D\\u0020'")  // Safe: a constant.

    /// Zero-width space, non-joiner, joiner, word joiner and the byte order mark.
    static let zeroWidth: SQL = SQL(unsafeRaw: "E'\\u200B\\u200C\\u200D\\u2060\\uFEFF'")  // Safe: a constant.

    /// Every character Unicode calls white space (`White_Space=yes`), as an escaped
    /// literal (`E'\u0009…'`) so statements stay readable in `--print-sql`.
    static let unicodeWhitespace: SQL = {
        let scalars: [UInt32] = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680]
            + Array(0x2000...0x200A) + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
        // Safe as raw text: built here from code points, as four hex digits each.
        return SQL(unsafeRaw: "E'" + scalars.map { "\\u" + String(format: "%04X", $0) }.joined() + "'")
    }()
}
