@testable import FKBackfill
import Testing

/// The documented shapes of legacy `lambda`/`jsonb_append` code, and what is not one.
@Suite struct CodeShapesTests {
    static func sql(_ code: String, list: Bool = false) -> String? {
        if case .sql(let text)? = CodeShapes.translate(code, list: list)?.translation { text } else { nil }
    }

    @Test func theExampleDateShapeAsAListAndAsAValue() {
        #expect(Self.sql(#"lambda g: [pd.to_datetime(g["月度"].dropna().iloc[0]).strftime("%y%m") + "新建"] if len(g["月度"].dropna()) > 0 else []"#, list: true)
            == #"CASE WHEN count("月度") > 0 THEN jsonb_build_array(to_char(min("月度"), 'YYMM') || '新建') ELSE CAST('[]' AS jsonb) END"#)
        #expect(Self.sql("lambda df: [pd.to_datetime(df['月度'].dropna().iloc[0]).strftime('%Y-%m-%d')]", list: true)
            == #"jsonb_build_array(to_char(min("月度"), 'YYYY-MM-DD'))"#)
        // A value: NULL on an empty group already, so the guard adds nothing.
        #expect(Self.sql(#"lambda g: "M" + pd.to_datetime(g["月度"].dropna().iloc[0]).strftime("%y%m") + "'s" if len(g["月度"].dropna()) > 0 else None"#)
            == #"'M' || to_char(min("月度"), 'YYMM') || '''s'"#)
        #expect(CodeShapes.translate(#"lambda g: pd.to_datetime(g["d"].dropna().iloc[0]).strftime("%H:%M:%S")"#, list: false)?.columns == ["d"])
    }

    @Test func aggregatesAndFirst() {
        #expect(Self.sql(#"lambda g: g["计划代码"].nunique()"#) == #"count(DISTINCT "计划代码")"#)
        #expect(Self.sql(#"lambda g: g["x"].max()"#) == #"max("x")"#)
        #expect(Self.sql(#"lambda g: g["x"].sum() if len(g["y"].dropna()) > 0 else None"#)
            == #"CASE WHEN count("y") > 0 THEN sum("x") END"#)
        #expect(Self.sql("lambda g: len(g)") == "count(*)")
        #expect(Self.sql(#"lambda g: [g["x"].nunique()]"#, list: true) == #"jsonb_build_array(count(DISTINCT "x"))"#)
        #expect(CodeShapes.translate(#"lambda g: g["名称"].dropna().iloc[0]"#, list: false)?.translation == .from(column: "名称", pick: .first))
    }

    @Test func anythingElseIsNotAShape() {
        for code in [
            #"lambda g: "auto_derived" if len(g) > 0 else None"#,          // a constant: a value or a mark? a human decides
            #"lambda g: g["x"].iloc[0]"#,                                   // NaN included
            #"lambda g: pd.to_datetime(g["d"].dropna().iloc[0]).strftime("%B")"#,  // outside the format subset
            #"lambda g: pd.to_datetime(g["d"].dropna().iloc[0]).strftime("%y年")"#,
            #"lambda g: [g["x"].max()] if len(g["x"].dropna()) > 0 else None"#,  // list with a scalar fallback
            #"lambda g: "a\"b""#,
            "lambda g: __import__('os').system('x')",
            "not code at all",
        ] {
            #expect(CodeShapes.translate(code, list: false) == nil, "\(code)")
            #expect(CodeShapes.translate(code, list: true) == nil, "\(code)")
        }
        #expect(CodeShapes.translate(#"lambda g: [g["x"].max()]"#, list: false) == nil)
        #expect(CodeShapes.translate(#"lambda g: g["x"].dropna().iloc[0]"#, list: true) == nil)
    }
}
