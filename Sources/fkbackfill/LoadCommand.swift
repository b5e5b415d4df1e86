import Foundation
import ArgumentParser
import FKBackfill

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Backfill missing parent rows, then load the fact rows, in one transaction.",
        discussion: """
            Stages the input in a temporary table, finds every key the parent tables lack \
            (transitively: a new portfolio's plan too), inserts those parents in dependency \
            order, then inserts the rows into TABLE. Any error rolls back everything.

            A new parent row's other columns take, in order: a rule from --rules; the column's \
            DEFAULT; the most frequent value of a same-named input column among the rows that reference it; \
            for an FK column, the input column that references the same parent; NULL. A NOT \
            NULL column with none of these stops the load before anything is written (exit 1).

            An input column TABLE lacks is staged for the backfill only (a same-named parent \
            column, a rule that reads it) and never inserted; one that nothing reads is an error \
            (exit 2) unless --ignore-extra-columns.

            Exit codes: 0 loaded (or, with --dry-run, would load); 1 refused before \
            anything was written: a parent column nothing fills, more rejected rows than \
            --max-rejects, an FK violation or a row PostgreSQL refused; \
            2, 3, 4, 130 and 143 as for every command (see fkbackfill --help).

            Example:
              fkbackfill load business.规模明细 --csv 2024-11.csv
              fkbackfill load business.规模明细 --csv 2024-11.csv \\
                --replace-by 月度,业务类型,计划类型
              fkbackfill load business.规模明细 --source staging.规模明细_raw \\
                --dry-run --format json
            """
    )

    @OptionGroup var target: TargetOptions
    @OptionGroup var load: LoadArguments

    @Option(
        help: ArgumentHelp(
            "Delete the target's rows that match any input row on these columns first (idempotent reloads).",
            valueName: "col,col"),
        transform: { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } })
    var replaceBy: [String] = []

    func run() throws {
        try load.run(target: target, loadTarget: true, replaceBy: replaceBy)
    }
}

struct BackfillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Backfill missing parent rows for the input, without loading it.",
        discussion: """
            Everything `load` does except inserting into TABLE: for pipelines that load the \
            facts themselves after a backfill gate.

            Exit codes: 0 backfilled; 1 refused before anything was written, as for load; \
            2, 3, 4, 130 and 143 as for every command (see fkbackfill --help).

            Example:
              fkbackfill backfill business.规模明细 --csv 2024-11.csv
              fkbackfill backfill business.规模明细 \\
                --query "SELECT * FROM staging.raw WHERE 月度 = '2024-11-01'"
            """
    )

    @OptionGroup var target: TargetOptions
    @OptionGroup var load: LoadArguments

    func run() throws {
        try load.run(target: target, loadTarget: false)
    }
}
