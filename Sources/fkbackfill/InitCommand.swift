import ArgumentParser
import FKBackfill

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Print a starter rules file for a table's parent graph.",
        discussion: """
            Lists every parent table with how each column of a new row would be filled \
            without rules, and a commented, suggested rule for every column that would \
            block a load. Edit it, then pass it to load with --rules.

            Exit codes: 0 the starter file was printed; 2, 3, 4, 130 and 143 as for every command (see fkbackfill --help).

            Example:
              fkbackfill init business.规模明细 > rules.yaml
            """
    )

    @OptionGroup var target: TargetOptions

    func run() throws {
        print(try RulesScaffold.render(table: target.table, on: target.common.connect()), terminator: "")
    }
}
