/// One way keys reach a parent table: through an FK of the target, read from the
/// staged rows, or through an FK of another parent, read from that parent's new rows.
struct KeySource: Sendable {
    enum Origin: Sendable, Equatable {
        /// An FK of the target: key columns are staged columns.
        case staged
        /// An FK of the parent at this index in `LoadPlan.parents`.
        case parent(index: Int)
    }

    var foreignKey: ForeignKey
    var origin: Origin
}
