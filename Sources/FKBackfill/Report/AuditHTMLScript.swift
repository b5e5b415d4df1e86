/// The audit page's style and its one script: filters and sorting of the finding list
/// and the copy buttons. No library, no network; it reads only the rows' data-*
/// attributes, so 2,300 findings filter as one pass over the rows.
extension AuditReport {
    static let auditCSS = """
        h2.part{font-size:19px;margin:22px 0 6px;border-bottom:2px solid #d0d7de}
        .cards{display:flex;flex-wrap:wrap;gap:14px}.card{border:1px solid #d0d7de;border-radius:6px;padding:4px 10px}
        .card h3{font-size:14px;margin:4px 0}.meta{color:#57606a;margin:4px 0}
        .sev-error{color:#cf222e;font-weight:600}.sev-warning{color:#9a6700;font-weight:600}.sev-info{color:#0969da}
        tr.st-uncovered td:first-child,tr.st-uncovered th{color:#cf222e;font-weight:600}
        #filters{position:sticky;top:0;background:#fff;padding:6px 0;border-bottom:1px solid #d0d7de;z-index:1}
        #filters label{margin-right:8px}#f-count{font-weight:600}
        #finding-list .fh,#finding-list .finding{display:grid;grid-template-columns:70px 130px 22% minmax(0,1fr) 30%;gap:0 8px;
          border-bottom:1px solid #d0d7de;padding:4px 6px}
        #finding-list .fh{background:#f6f8fa;font-weight:600}
        #finding-list .finding{content-visibility:auto;contain-intrinsic-size:auto 70px}#finding-list .finding[hidden]{display:none}
        #finding-list .finding>*{overflow-wrap:anywhere;min-width:0}
        #finding-list [data-sort]{cursor:pointer;user-select:none}
        #finding-list [data-sort]::after{content:" ⇅";color:#8c959f}
        pre.fix{white-space:pre-wrap;word-break:break-all;margin:0 0 4px;background:#f6f8fa;padding:3px 5px;border-radius:4px}
        button.copy{font-size:11px}.why{margin:4px 0 4px 8px}.why ul{margin:2px 0}p.tf{margin:4px 0}
        """

    static let auditScript = """
        (function () {
          var rows = Array.prototype.slice.call(document.querySelectorAll('#finding-list .finding'));
          var $ = function (id) { return document.getElementById(id); };
          var texts = null;
          function apply() {
            var sev = $('f-severity').value, kind = $('f-kind').value, schema = $('f-schema').value;
            var table = $('f-table').value.trim().toLowerCase(), text = $('f-text').value.trim().toLowerCase();
            if (text && !texts) texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
            var minRank = sev === 'error' ? 2 : sev === 'warning' ? 1 : 0, shown = 0;
            rows.forEach(function (r, i) {
              var ok = +r.dataset.rank >= minRank && (!kind || r.dataset.kind === kind) && (!schema || r.dataset.schema === schema)
                && (!table || r.dataset.table.toLowerCase().indexOf(table) >= 0) && (!text || texts[i].indexOf(text) >= 0);
              r.hidden = !ok; if (ok) shown++;
            });
            $('f-count').textContent = shown + ' of ' + rows.length + ' findings';
          }
          ['f-severity', 'f-kind', 'f-schema', 'f-table', 'f-text'].forEach(function (id) {
            $(id).addEventListener('input', apply); $(id).addEventListener('change', apply);
          });
          var body = document.querySelector('#finding-list .fb'), order = {};
          document.querySelectorAll('#finding-list [data-sort]').forEach(function (th) {
            th.addEventListener('click', function () {
              var col = +th.dataset.sort, dir = order[col] = order[col] === 1 ? -1 : 1;
              var key = function (r) { return col === 0 ? String(9 - r.dataset.rank) : r.children[col].textContent; };
              var sorted = rows.map(function (r, i) { return [key(r), i, r]; })
                .sort(function (a, b) { return a[0] < b[0] ? -dir : a[0] > b[0] ? dir : a[1] - b[1]; });
              sorted.forEach(function (e) { body.appendChild(e[2]); });
            });
          });
          body.addEventListener('click', function (event) {
            var button = event.target.closest('button.copy'); if (!button) return;
            var text = Array.prototype.map.call(button.parentNode.querySelectorAll('pre.fix'), function (p) { return p.textContent; }).join('\\n');
            var done = function () { button.textContent = 'copied'; setTimeout(function () { button.textContent = 'copy'; }, 1500); };
            if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done, function () {}); return; }
            var area = document.createElement('textarea'); area.value = text; document.body.appendChild(area); area.select();
            try { document.execCommand('copy'); done(); } catch (e) {} document.body.removeChild(area);
          });
          // #kind=…&table=… in the address sets the filters (a table section's link does).
          function fromHash(scroll) {
            var params = new URLSearchParams(location.hash.indexOf('=') > 0 ? location.hash.slice(1) : '');
            if (!params.toString()) return;
            ['severity', 'kind', 'schema', 'table', 'text'].forEach(function (k) { $('f-' + k).value = params.get(k) || ''; });
            apply();
            if (scroll) $('findings').scrollIntoView();
          }
          window.addEventListener('hashchange', function () { fromHash(true); });
          fromHash(false);
        })();
        """
}
