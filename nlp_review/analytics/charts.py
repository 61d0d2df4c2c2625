"""Small SVG charts drawn in Python (no script, no network): vertical bars for a
distribution, horizontal bars for counts by name. Text is Chinese; sizes are fixed so
the dashboard prints as it shows."""
from __future__ import annotations

import html


def _esc(s) -> str:
    return html.escape(str(s), quote=True)


def vbar_chart(items: list[tuple[str, float]], title: str, color: str = "#1565c0", width: int = 560,
               height: int = 260, unit: str = "份") -> str:
    n = max(1, len(items))
    top = max([v for _, v in items] + [1])
    pad_l, pad_b, pad_t = 40, 46, 44
    bw = (width - pad_l - 10) / n
    parts = [f'<svg class="chart" role="img" aria-label="{_esc(title)}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{_esc(title)}</title>',
             f'<text x="{width / 2}" y="18" text-anchor="middle" class="ct">{_esc(title)}</text>',
             f'<line x1="{pad_l}" y1="{height - pad_b}" x2="{width - 5}" y2="{height - pad_b}" stroke="#999"/>']
    for i, (label, v) in enumerate(items):
        h = (height - pad_b - pad_t) * (v / top)
        x = pad_l + i * bw + bw * 0.1
        y = height - pad_b - h
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bw * 0.8:.1f}" height="{h:.1f}" fill="{color}">'
                     f'<title>{_esc(label)}：{_esc(v)} {unit}</title></rect>')
        parts.append(f'<text x="{x + bw * 0.4:.1f}" y="{y - 3:.1f}" text-anchor="middle" class="cv">{_esc(_num(v))}</text>')
        parts.append(f'<text x="{x + bw * 0.4:.1f}" y="{height - pad_b + 14}" text-anchor="middle" class="cl">{_esc(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(items: list[tuple[str, float]], title: str, colors: dict[str, str] | None = None,
               width: int = 560, row: int = 24, unit: str = "个") -> str:
    top = max([v for _, v in items] + [1])
    pad_l, pad_t = 120, 30
    height = pad_t + row * max(1, len(items)) + 10
    parts = [f'<svg class="chart" role="img" aria-label="{_esc(title)}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{_esc(title)}</title>',
             f'<text x="{width / 2}" y="18" text-anchor="middle" class="ct">{_esc(title)}</text>']
    for i, (label, v) in enumerate(items):
        y = pad_t + i * row
        w = (width - pad_l - 60) * (v / top)
        color = (colors or {}).get(label, "#1565c0")
        parts.append(f'<text x="{pad_l - 6}" y="{y + row * 0.65:.1f}" text-anchor="end" class="cl">{_esc(label)}</text>')
        parts.append(f'<rect class="bar" x="{pad_l}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{color}">'
                     f'<title>{_esc(label)}：{_esc(_num(v))} {unit}</title></rect>')
        parts.append(f'<text x="{pad_l + w + 4:.1f}" y="{y + row * 0.65:.1f}" class="cv">{_esc(_num(v))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _num(v) -> str:
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.1f}"
    return str(int(v))
