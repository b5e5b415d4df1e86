import CLibPQ

/// The version of the libpq the process loaded (not the headers it was built against),
/// for `fkbackfill --version`: a binary installed from a package runs with whatever
/// libpq5 the machine has.
public enum LibPQVersion {
    /// `15.18` from `PQlibVersion()`'s 150018; `9.6.24` for libpq before 10.
    public static var text: String {
        let number = Int(PQlibVersion())
        return number >= 100_000
            ? "\(number / 10_000).\(number % 10_000)"
            : "\(number / 10_000).\(number / 100 % 100).\(number % 100)"
    }
}
