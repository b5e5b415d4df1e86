import Foundation
import TestSupport

/// What the concurrency and fault tests wait for, all through `eventually`.
extension TestDatabase {
    /// Whether `count` backends named `application` are seen waiting on a lock another
    /// backend holds (with `blocker`, that backend's pid), within `seconds`.
    func waitUntilBlocked(application: String, count: Int = 1, by blocker: String? = nil, within seconds: Double = 10) throws -> Bool {
        let holder = blocker.map { " AND \($0) = ANY (pg_blocking_pids(a.pid))" } ?? " AND cardinality(pg_blocking_pids(a.pid)) > 0"
        return try eventually(within: seconds) {
            try self.count("pg_stat_activity a", "a.application_name = '\(application)' AND a.wait_event_type = 'Lock'" + holder) >= count
        }
    }

    /// Whether a backend named `application` is seen matching `condition` (SQL over
    /// `pg_stat_activity a`), within `seconds`.
    func waitUntilActive(application: String, where condition: String, within seconds: Double = 15) throws -> Bool {
        try eventually(within: seconds) {
            try self.count("pg_stat_activity a", "a.application_name = '\(application)' AND \(condition)") > 0
        }
    }
}
