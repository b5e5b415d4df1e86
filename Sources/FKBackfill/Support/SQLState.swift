/// The SQLSTATE codes the tool acts on, by name (PostgreSQL's appendix A).
public enum SQLState {
    public static let undefinedFunction = "42883"
    public static let undefinedTable = "42P01"
    public static let lockNotAvailable = "55P03"
    public static let queryCanceled = "57014"
    public static let foreignKeyViolation = "23503"
    public static let uniqueViolation = "23505"
    public static let insufficientPrivilege = "42501"
    public static let deadlockDetected = "40P01"
    /// Class 22: data exceptions (bad value, bad encoding, malformed COPY row).
    public static let dataExceptionClass = "22"
    public static let badCopyFileFormat = "22P04"
    public static let characterNotInRepertoire = "22021"
}
