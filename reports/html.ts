/** HTML text from any value: every `&`, `<`, `>`, `"` and `'` escaped, so a name like `<script>` renders as text. Pure. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A relative link into the run folder, each path segment percent-encoded and the whole escaped for an attribute. Pure. */
export function href(...segments: string[]): string {
  return esc(
    segments
      .flatMap((s) => s.split('/'))
      .map(encodeURIComponent)
      .join('/'),
  );
}

/** A table: `head` and `rows` are HTML already (escape text with {@link esc}); `cls` per cell row-wise when given. */
export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, attrs = ''): string {
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => (c.startsWith('<td') ? c : `<td>${c}</td>`)).join('')}</tr>`).join('\n');
  return `<table${attrs}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * The policy every page of ours carries: nothing may be fetched (no network,
 * no other file), inline styles and scripts only, frames only from `srcdoc`.
 * A page that still tried to load something would be blocked by the
 * browser, not merely unlikely to.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; frame-src 'self' about:";

const CSS = `
:root { --fg:#1d232b; --muted:#5c6670; --line:#d8dde3; --bg:#fff; --soft:#f5f7f9; --good:#1b7f3a; --bad:#b3261e; --warn:#9a6700; --band:rgba(232,89,12,.14); }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
main { max-width: 2000px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: var(--muted); margin: 0 0 12px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: right; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td:first-child, th:first-child { text-align: left; }
td.best { font-weight: 700; background: #e8f5ec; }
td.best::after { content: " ★"; color: var(--good); }
.valid { color: var(--good); font-weight: 600; } .invalid { color: var(--bad); font-weight: 700; } .unknown { color: var(--warn); font-weight: 600; }
.status-completed { color: var(--good); } .status-error, .status-interrupted { color: var(--bad); }
figure.chart { max-width: 1240px; margin: 10px 0 18px; padding: 8px; border: 1px solid var(--line); border-radius: 6px; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart svg { width: 100%; height: auto; display: block; }
figure.chart .missing { color: var(--warn); }
details > summary { cursor: pointer; color: var(--muted); }
details table { font-size: 12px; }
.wide { overflow-x: auto; max-width: 100%; }
table.summary td { white-space: nowrap; }
.scroll { max-height: 360px; overflow: auto; display: inline-block; }
.note { color: var(--muted); font-size: 13px; }
.case { margin-top: 36px; }
.legend-band { display: inline-block; width: 14px; height: 10px; background: var(--band); border: 1px solid rgba(232,89,12,.5); vertical-align: middle; }
iframe.view { width: 100%; height: 640px; border: 1px solid var(--line); border-radius: 6px; }
pre { background: var(--soft); padding: 8px; overflow: auto; max-height: 320px; font-size: 12px; }
code { font-size: 12px; }
ul.files { columns: 2; }
`;

/** A whole self-contained page: inline CSS, the content policy, no external anything. `body` is HTML already. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CONTENT_SECURITY_POLICY)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}
