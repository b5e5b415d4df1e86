@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The second sweep's cases are the first's (`SweepCase`) on `RealSchema.forum`.
typealias ForumCase = SweepCase

/// What each step said: the dry run, validate on the primary (staged) and on the standby
/// (read-only), then the real load.
struct SweepOutcome {
    var dryRun: Result<LoadReport, FKBackfillError>
    var staged: Result<ValidationReport, FKBackfillError>
    var readOnly: Result<ValidationReport, FKBackfillError>
    var load: Result<LoadReport, FKBackfillError>

    /// Dry run, staged validate, standby validate, then the real load, in that order.
    init(_ c: SweepCase, _ schema: RealSchema) throws {
        let rules = try c.parsedRules(schema)
        let input = try c.source(schema)
        let table = schema.rename(c.table)
        func run(dryRun: Bool) -> Result<LoadReport, FKBackfillError> {
            var options = LoadOptions()
            (options.rules, options.maxRejects, options.replaceBy, options.dryRun, options.samples) = (rules, c.maxRejects, c.replaceBy, dryRun, 5)
            do throws(FKBackfillError) {
                return .success(try Loader(connection: schema.db.connection).run(table: table, input: input, options: options))
            } catch { return .failure(error) }
        }
        func validate(_ connection: Connection) -> Result<ValidationReport, FKBackfillError> {
            var options = ValidateOptions()
            (options.rules, options.maxRejects, options.replaceBy, options.samples) = (rules, c.maxRejects, c.replaceBy, 5)
            do throws(FKBackfillError) {
                return .success(try Validator(connection: connection).run(table: table, input: input, options: options))
            } catch { return .failure(error) }
        }
        dryRun = run(dryRun: true)
        staged = validate(schema.db.connection)
        readOnly = validate(try schema.standby())
        load = run(dryRun: false)
    }

    /// The verdicts agree with the load, the staged prediction's counts with the dry run's,
    /// the standby's missing keys per FK with the staged ones (without --max-rejects, as
    /// docs/validate.md says), and a committed load leaves no orphans (`FROM ONLY` the
    /// parent, the FK's operators: RealSchema.orphans).
    func expectAgreement(_ c: SweepCase, _ schema: RealSchema, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let loads = (try? dryRun.get()) != nil
        let why = (try? dryRun.get()).map { "dry run inserted \($0.inserted)" } ?? "dry run failed: \(String(describing: dryRun))"
        #expect(loads == c.commits, "the sweep saw this load \(c.commits ? "commit" : "fail"); \(why)", sourceLocation: sourceLocation)
        #expect(((try? load.get()) != nil) == loads, "the load: \(String(describing: load)); \(why)", sourceLocation: sourceLocation)
        switch staged {
        case .success(let staged):
            #expect(staged.wouldLoad == loads, "staged validate: \(staged.prediction?.blockers ?? []) \(staged.foreignKeys.flatMap(\.reasons)); \(why)",
                    sourceLocation: sourceLocation)
            if case .success(let report) = dryRun, let p = staged.prediction {
                #expect(p.inserted == report.inserted && p.deleted == report.deleted,
                        "validate: \(p.inserted) inserted, \(p.deleted) deleted; dry run: \(report.inserted), \(report.deleted)", sourceLocation: sourceLocation)
                #expect(p.rejections.map { "\($0.reason) \($0.rows)" } == report.rejections.map { "\($0.reason) \($0.rows)" }, sourceLocation: sourceLocation)
                #expect(p.parents.map { "\($0.table) \($0.inserted)" } == report.parents.filter { $0.inserted > 0 }.map { "\($0.table) \($0.inserted)" },
                        sourceLocation: sourceLocation)
            }
        case .failure(let error): Issue.record("staged validate refused: \(error)", sourceLocation: sourceLocation)
        }
        switch readOnly {
        case .success(let readOnly):
            #expect(readOnly.wouldLoad == loads, "standby validate: \(readOnly.foreignKeys.flatMap(\.reasons)) not exact: \(readOnly.notExact); \(why)",
                    sourceLocation: sourceLocation)
            if c.maxRejects == 0, case .success(let staged) = staged {
                let missing = { (r: ValidationReport) in r.foreignKeys.map { "\($0.name) \($0.missingKeys)" }.sorted() }
                #expect(missing(readOnly) == missing(staged), sourceLocation: sourceLocation)
            }
        case .failure(let error): Issue.record("standby validate refused: \(error)", sourceLocation: sourceLocation)
        }
        #expect(try RealSchema.orphans(in: [schema.app, schema.wh], on: schema.db.connection) == [], sourceLocation: sourceLocation)
    }
}
