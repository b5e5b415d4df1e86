/// The frame of the HTML reports (`audit --format html`, `graph --format html`): one
/// self-contained file that opens from disk. Its Content-Security-Policy forbids every
/// network request (no CDN, font, image or fetch), so what the page shows is all in it;
/// only its own inline style and script run.
enum HTMLPage {
    /// Nothing from the network; inline CSS and script, `data:` images only.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        + "img-src data:; base-uri 'none'; form-action 'none'"

    static let baseCSS = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1400px;padding:0 18px 40px;color:#1f2328}
        h1{font-size:22px;margin:18px 0 6px}h2{font-size:17px;margin:4px 0}
        table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}
        th{background:#f6f8fa}code,pre{font:12px ui-monospace,Menlo,Consolas,monospace}
        .diagram{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;padding:4px;margin:6px 0;background:#fff}
        section.table{border-top:1px solid #d0d7de;padding:8px 0;content-visibility:auto;contain-intrinsic-size:auto 420px}
        """

    /// A page of `body`, with the shared SVG definitions and the diagram CSS.
    static func render(title: String, css: String, script: String?, body: String) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(contentSecurityPolicy)\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"generator\" content=\"fkbackfill\">\n"
        out += "<title>\(escapeXML(title))</title>\n<style>\n\(baseCSS)\n\(FKDiagram.css)\n\(css)\n</style>\n</head>\n<body>\n"
        out += FKDiagram.sharedDefinitions + "\n" + body
        if let script { out += "<script>\n\(script)\n</script>\n" }
        return out + "</body></html>\n"
    }
}
