"""A self-contained HTML report: the summary table and inline SVG charts, no scripts, no downloads."""

from __future__ import annotations

import html
import json
import math
from typing import Any

from .histogram import Histogram

COLORS = ["#1f77b4", "#ff7f0e", "#d62728", "#7f7f7f", "#2ca02c", "#9467bd"]
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 820, 260, 64, 120, 28, 34


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, v = [], start
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    return ticks


def _label(v: float) -> str:
    if v >= 1000:
        return f"{v / 1000:g}k"
    return f"{v:g}"


def svg_chart(
    title: str,
    lines: dict[str, list[tuple[float, float | None]]],
    y_unit: str,
    log: bool = False,
    shade: tuple[float, float] | None = None,
    x_range: tuple[float, float] | None = None,
) -> str:
    pts = [(x, y) for s in lines.values() for x, y in s if y is not None and (y > 0 or not log)]
    if not pts:
        return f"<p class='empty'>{html.escape(title)}: no data</p>"
    x_lo, x_hi = x_range or (min(p[0] for p in pts), max(p[0] for p in pts))
    x_hi = x_hi if x_hi > x_lo else x_lo + 1
    y_vals = [p[1] for p in pts]
    if log:
        y_lo = 10 ** math.floor(math.log10(max(min(y_vals), 1e-3)))
        y_hi = 10 ** math.ceil(math.log10(max(max(y_vals), y_lo * 10)))
        yt = [y_lo * 10**i for i in range(round(math.log10(y_hi / y_lo)) + 1)]

        def fy(y: float) -> float:
            return math.log10(max(y, y_lo) / y_lo) / math.log10(y_hi / y_lo)
    else:
        yt = _nice_ticks(0, max(y_vals) * 1.05)
        y_lo, y_hi = 0.0, yt[-1] or 1.0

        def fy(y: float) -> float:
            return (y - y_lo) / (y_hi - y_lo)

    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def sx(x: float) -> float:
        return PAD_L + (x - x_lo) / (x_hi - x_lo) * pw

    def sy(y: float) -> float:
        return PAD_T + ph - fy(y) * ph

    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {W} {H}' width='{W}' height='{H}'>",
        f"<text x='{PAD_L}' y='18' class='title'>{html.escape(title)}</text>",
    ]
    if shade is not None:
        a, b = max(shade[0], x_lo), min(shade[1], x_hi)
        if b > a:
            out.append(
                f"<rect x='{sx(a):.1f}' y='{PAD_T}' width='{sx(b) - sx(a):.1f}' "
                f"height='{ph}' fill='#f2f6fb'/>"
            )
    for y in yt:
        out.append(
            f"<line x1='{PAD_L}' x2='{PAD_L + pw}' y1='{sy(y):.1f}' y2='{sy(y):.1f}' class='grid'/>"
            f"<text x='{PAD_L - 6}' y='{sy(y) + 4:.1f}' class='yl'>{_label(y)}</text>"
        )
    for x in _nice_ticks(x_lo, x_hi, 8):
        if x_lo <= x <= x_hi:
            out.append(f"<text x='{sx(x):.1f}' y='{PAD_T + ph + 16}' class='xl'>{x:g}s</text>")
    out.append(
        f"<text x='12' y='{PAD_T + ph / 2:.0f}' class='unit' "
        f"transform='rotate(-90 12 {PAD_T + ph / 2:.0f})'>{html.escape(y_unit)}</text>"
    )
    for i, (name, series) in enumerate(lines.items()):
        color = COLORS[i % len(COLORS)]
        seg: list[str] = []
        for x, y in series:
            if y is None or (log and y <= 0):
                if len(seg) > 1:
                    out.append(
                        f"<polyline points='{' '.join(seg)}' stroke='{color}' class='line'/>"
                    )
                seg = []
                continue
            seg.append(f"{sx(x):.1f},{sy(y):.1f}")
        if len(seg) > 1:
            out.append(f"<polyline points='{' '.join(seg)}' stroke='{color}' class='line'/>")
        elif len(seg) == 1:
            cx, cy = seg[0].split(",")
            out.append(f"<circle cx='{cx}' cy='{cy}' r='2.5' fill='{color}'/>")
        ly = PAD_T + 14 + i * 18
        out.append(
            f"<line x1='{W - PAD_R + 12}' x2='{W - PAD_R + 30}' y1='{ly - 4}' y2='{ly - 4}' "
            f"stroke='{color}' stroke-width='3'/>"
            f"<text x='{W - PAD_R + 36}' y='{ly}' class='lg'>{html.escape(name)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:880px;color:#222}
h1{font-size:1.4em} h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse} td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#fff7e0;padding:4px 8px;margin:4px 0} .bad{background:#fde8e8}
svg{display:block;margin:8px 0} .title{font-weight:600;font-size:13px}
.grid{stroke:#e6e6e6} .yl{font-size:11px;text-anchor:end;fill:#555} .xl{font-size:11px;text-anchor:middle;fill:#555}
.unit{font-size:11px;text-anchor:middle;fill:#555} .lg{font-size:12px}
.line{fill:none;stroke-width:1.8} pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}
"""


def render_html(result: dict[str, Any]) -> str:
    from .report import ROWS, fmt, shown

    s, series = result["summary"], result["series"]
    send = [r["t"] for r in series if r["phase"] == "send"]
    shade = (min(send) - 1, max(send)) if send else None
    xs = [r["t"] for r in series]
    xr = (min(xs), max(xs)) if xs and max(xs) > min(xs) else None
    lat = {
        name: [(x, r[key]) for x, r in zip(xs, series, strict=True)]
        for name, key in (
            ("p50", "p50_ms"),
            ("p90", "p90_ms"),
            ("p99", "p99_ms"),
            ("max", "max_ms"),
        )
    }
    rate = {
        "deliveries/s": [(x, r["deliveries"]) for x, r in zip(xs, series, strict=True)],
        "acks/s": [(x, r["acks"]) for x, r in zip(xs, series, strict=True)],
    }
    if not any(r["acks"] for r in series):
        rate.pop("acks/s")
    conns = {"open connections": [(x, r["open"]) for x, r in zip(xs, series, strict=True)]}
    server = {
        "server CPU %": [(x, r.get("server_cpu_pct")) for x, r in zip(xs, series, strict=True)],
        "generator CPU % (busiest worker)": [
            (x, r["gen_cpu_max"] * 100) for x, r in zip(xs, series, strict=True)
        ],
    }
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td class='n'>{html.escape(fmt(s.get(k)))}</td>"
        f"<td>{html.escape(unit)}</td></tr>"
        for k, label, unit in ROWS
        if s.get(k) is not None and shown(k, s)
    )
    spectrum = ""
    hist = result.get("histograms", {}).get("latency")
    if hist and hist["n"]:
        h = Histogram.from_dict(hist)
        cells = "".join(
            f"<tr><td>p{p:g}</td><td class='n'>{(h.percentile(p) or 0) / 1000:.3f}</td></tr>"
            for p in (50, 75, 90, 95, 99, 99.9, 99.99, 100)
        )
        spectrum = f"<h2>Latency distribution (ms, whole run)</h2><table>{cells}</table>"
    notes = "".join(
        f"<div class='note{' bad' if 'SATURATED' in n else ''}'>{html.escape(n)}</div>"
        for n in result["notes"]
    )
    codes = ""
    for title, key in (
        ("Errors by code", "errors_by_code"),
        ("Disconnects by close code", "closes_by_code"),
        ("Scenario counters", "scenario_counters"),
    ):
        if result.get(key):
            cells = "".join(
                f"<tr><td>{html.escape(str(k))}</td><td class='n'>{v:,}</td></tr>"
                for k, v in sorted(result[key].items())
            )
            codes += f"<h2>{title}</h2><table>{cells}</table>"
    title = f"Quanzi load test — {s['scenario']} {result['config'].get('label') or ''}".strip()
    config = {k: v for k, v in result["config"].items() if k not in ("fail_if",)}
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{CSS}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(result["finished"])} · {html.escape(", ".join(result["config"]["urls"]))} ·
codec {html.escape(result["config"]["codec"])} · {result["config"]["workers_started"]} worker(s) ·
the shaded band is the sending phase.</p>
{notes}
<h2>Summary</h2><table>{rows}</table>
<h2>Over time</h2>
{svg_chart("Delivery latency percentiles, per second", lat, "ms", log=True, shade=shade, x_range=xr)}
{svg_chart("Delivery rate", rate, "per second", shade=shade, x_range=xr)}
{svg_chart("Connections", conns, "open", shade=shade, x_range=xr)}
{svg_chart("CPU", server, "% of one core", shade=shade, x_range=xr)}
{spectrum}{codes}
<h2>Loss check</h2><pre>{html.escape(json.dumps(result["loss"], indent=1))}</pre>
<h2>Generator</h2><pre>{html.escape(json.dumps(result["generator"], indent=1))}</pre>
<h2>Configuration and environment</h2><pre>{html.escape(json.dumps({**config, **result["environment"]}, indent=1, default=str))}</pre>
</body></html>
"""
