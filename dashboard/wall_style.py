"""The wall's look: a dark theme scoped to the wall page, and the kiosk mode that hides Streamlit's chrome.

The rules apply only while the page holds the ``wall-root`` marker (``.stApp:has(.wall-root)``), so
the office pages keep their light red/gold theme. The outage banner floats over the top edge of the
map, so the layout never shifts and no figure or note is covered (at the bottom it hid the
data-quality note under the map); the app shell's invisible components (the log-in cookie) take no
room. Colours come from ``assets/wall.yaml``. Sizes are
for a 1920×1080 screen, readable from five metres; on a screen twice as wide (3840×2160) the whole
page is zoomed by two, so the layout stays the same. Elements never fade while a refresh runs.
"""

from __future__ import annotations

from dashboard.wall_config import WallConfig

MARKER = '<div class="wall-root"></div>'
_SCOPE = ".stApp:has(.wall-root)"

_TEMPLATE = """
{s} {{ background: radial-gradient(ellipse at 50% 0%, #0B2149 0%, {background} 62%) fixed; color: {text}; }}
{s} [data-testid="stHeader"] {{ background: transparent; }}
{s} [data-testid="stSidebar"] {{ background: {panel}; }}
{s} [data-testid="stSidebar"] * {{ color: {text}; }}
{s} [data-testid="stSidebar"] button {{ background: transparent; border: 1px solid {border}; }}
{s} [data-testid="stMainBlockContainer"] {{ padding: 1.2rem 1.1rem 0.2rem 1.1rem; max-width: none; }}
{s} [data-stale="true"] {{ opacity: 1 !important; transition: none !important; }}
{s} [data-testid="stVerticalBlock"] {{ gap: 0.55rem; }}
{s} [data-testid="stElementContainer"]:has(.wall-root) {{ display: none; }}
{s} h1 {{
  font-size: 40px; font-weight: 800; letter-spacing: 6px; text-align: center; padding: 4px 0 0 0;
  background: linear-gradient(180deg, #FFFFFF 10%, {gold} 95%); -webkit-background-clip: text;
  background-clip: text; color: transparent; text-shadow: 0 0 18px rgba(255, 197, 61, 0.25);
}}
{s} .wall-titlebar {{
  height: 6px; margin: 2px 12% 0 12%;
  background: linear-gradient(90deg, transparent, {accent} 30%, {gold} 50%, {accent} 70%, transparent);
  border-radius: 3px; box-shadow: 0 0 14px {accent};
}}
{s} .wall-date, {s} .wall-status {{ font-size: 22px; color: {muted}; padding-top: 18px; white-space: nowrap; }}
{s} .wall-status {{ text-align: right; }}
{s} .wall-status .dot {{
  display: inline-block; width: 14px; height: 14px; border-radius: 50%; margin-right: 10px;
  background: {good}; box-shadow: 0 0 10px {good};
}}
{s} .wall-status.stale {{ color: {alert}; }}
{s} .wall-status.stale .dot {{ background: {alert}; box-shadow: 0 0 10px {alert}; }}
{s} [data-testid="stElementContainer"]:has(iframe[data-testid="stCustomComponentV1"]),
{s} [data-testid="stElementContainer"]:has(.wall-banner-slot) {{
  position: absolute; width: 0; height: 0; overflow: hidden;
}}
{s} .wall-banner {{
  position: fixed; left: 26%; right: 26%; top: 222px; z-index: 1000;
  font-size: 28px; font-weight: 700; text-align: center; color: #FFFFFF; padding: 10px 0;
  background: rgba(190, 24, 36, 0.94); border: 2px solid {alert}; border-radius: 8px; letter-spacing: 2px;
  box-shadow: 0 0 28px rgba(255, 77, 79, 0.65);
}}
{s} .wall-card {{
  position: relative; background: linear-gradient(180deg, rgba(16, 42, 84, 0.72), rgba(10, 26, 51, 0.72));
  border: 1px solid {border}; border-radius: 6px; padding: 12px 16px 14px 16px;
  box-shadow: inset 0 0 24px rgba(63, 224, 255, 0.08);
}}
{s} .wall-card::before, {s} .wall-card::after {{
  content: ""; position: absolute; width: 18px; height: 18px; border-color: {accent}; border-style: solid;
}}
{s} .wall-card::before {{ top: -1px; left: -1px; border-width: 3px 0 0 3px; border-radius: 6px 0 0 0; }}
{s} .wall-card::after {{ bottom: -1px; right: -1px; border-width: 0 3px 3px 0; border-radius: 0 0 6px 0; }}
{s} .wall-card-title {{
  font-size: 24px; font-weight: 700; color: {text}; letter-spacing: 2px; margin-bottom: 8px;
  padding-left: 12px; border-left: 5px solid {gold}; cursor: help;
}}
{s} .wall-grid {{ display: grid; grid-template-columns: repeat(var(--cols, 2), 1fr); gap: 8px 14px; }}
{s} .wall-figure {{ cursor: help; }}
{s} .wall-label {{ font-size: 20px; color: {muted}; white-space: nowrap; }}
{s} .wall-num {{
  font-size: 44px; font-weight: 800; color: {accent}; line-height: 1.1; font-variant-numeric: tabular-nums;
  text-shadow: 0 0 14px rgba(63, 224, 255, 0.35); white-space: nowrap;
}}
{s} .wall-num.gold {{ color: {gold}; text-shadow: 0 0 14px rgba(255, 197, 61, 0.35); }}
{s} .wall-num.big {{ font-size: 60px; }}
{s} .wall-num .unit {{ font-size: 20px; font-weight: 400; color: {muted}; margin-left: 6px; text-shadow: none; }}
{s} .wall-note {{ font-size: 18px; color: {muted}; }}
{s} .wall-bar {{
  height: 14px; background: rgba(143, 168, 204, 0.18); border-radius: 7px; overflow: hidden; margin: 6px 0;
}}
{s} .wall-bar > div {{ height: 100%; border-radius: 7px; background: linear-gradient(90deg, {accent}, {gold}); }}
{s} .wall-rank {{ display: grid; grid-template-columns: 36px 1fr 96px; align-items: center; gap: 10px 10px; }}
{s} .wall-rank .pos {{ font-size: 22px; font-weight: 800; text-align: center; border-radius: 4px; color: #041024; }}
{s} .wall-rank .name {{ font-size: 22px; color: {text}; white-space: nowrap; overflow: hidden; }}
{s} .wall-rank .rate {{ font-size: 26px; font-weight: 800; text-align: right; font-variant-numeric: tabular-nums; }}
{s} .wall-rank .top {{ background: {good}; }}
{s} .wall-rank .bottom {{ background: {alert}; }}
{s} .wall-rank .gap {{ grid-column: 1 / -1; border-top: 1px dashed {border}; margin: 4px 0; }}
{s} .wall-flow {{ display: flex; align-items: stretch; justify-content: space-between; gap: 6px; }}
{s} .wall-step {{
  flex: 1; text-align: center; padding: 8px 4px 6px 4px; border-radius: 6px; cursor: help;
  background: linear-gradient(180deg, rgba(63, 224, 255, 0.16), rgba(63, 224, 255, 0.03));
  border: 1px solid {border};
}}
{s} .wall-step .wall-label {{ font-size: 22px; color: {text}; letter-spacing: 4px; }}
{s} .wall-step .wall-num {{ font-size: 52px; }}
{s} .wall-arrow {{ align-self: center; font-size: 40px; color: {gold}; font-weight: 800; }}
{s} .wall-table {{
  display: grid; grid-template-columns: auto 1fr 1fr auto; gap: 2px 14px; align-items: baseline; margin-top: 6px;
}}
{s} .wall-table .wall-num {{ font-size: 34px; text-align: right; }}
{s} .wall-table .wall-label {{ color: {text}; }}
{s} .wall-table .right {{ text-align: right; }}
{s} .wall-num.alert {{ color: {alert}; text-shadow: 0 0 14px rgba(255, 77, 79, 0.45); }}
{s} .wall-num.good {{ color: {good}; text-shadow: 0 0 14px rgba(82, 229, 163, 0.35); }}
{s} .wall-ticker {{ display: flex; flex-direction: column; gap: 6px; }}
{s} .wall-tick {{
  display: grid; grid-template-columns: 92px 1fr auto; gap: 10px; align-items: center; font-size: 20px;
  padding: 5px 8px; border-radius: 4px; background: rgba(63, 224, 255, 0.05); white-space: nowrap;
}}
{s} .wall-tick:first-child {{ background: rgba(63, 224, 255, 0.16); }}
{s} .wall-tick .ago {{ color: {accent}; font-variant-numeric: tabular-nums; }}
{s} .wall-tick .what {{ color: {text}; overflow: hidden; text-overflow: ellipsis; }}
{s} .wall-tick .what small {{ color: {muted}; font-size: 17px; margin-left: 8px; }}
{s} .wall-badge {{ font-size: 18px; font-weight: 700; padding: 2px 10px; border-radius: 12px; color: #041024; }}
{s} .wall-legend {{ font-size: 17px; color: {muted}; line-height: 1.7; }}
{s} .wall-legend .dot {{ display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin: 0 5px 0 12px; }}
{s} .wall-legend .ramp {{
  display: inline-block; width: 90px; height: 11px; margin: 0 6px; vertical-align: middle; border-radius: 2px;
  background: linear-gradient(90deg, {fill_low}, {fill_high});
}}
{s} .wall-waiting {{ font-size: 30px; text-align: center; color: {muted}; padding: 18vh 0; }}
{s} [data-testid="stDeckGlJsonChart"] {{
  border: 1px solid {border}; border-radius: 6px; overflow: hidden; background: rgba(4, 11, 26, 0.55);
}}
@media (min-width: 2560px) {{ {s} {{ zoom: 2; }} }}
"""

_KIOSK = """
{s} [data-testid="stHeader"], {s} [data-testid="stSidebar"], {s} [data-testid="stSidebarCollapsedControl"],
{s} [data-testid="stExpandSidebarButton"], {s} [data-testid="stToolbar"], {s} [data-testid="stDecoration"],
{s} [data-testid="stStatusWidget"], {s} footer {{ display: none !important; }}
{s} [data-testid="stMain"] {{ margin-left: 0 !important; }}
"""


def css(config: WallConfig, kiosk: bool) -> str:
    """The ``<style>`` element of the wall; with ``kiosk`` also hiding Streamlit's header, menu and sidebar."""
    values = {**config.palette, "fill_low": config.fill_low, "fill_high": config.fill_high, "s": _SCOPE}
    rules = _TEMPLATE.format(**values) + (_KIOSK.format(s=_SCOPE) if kiosk else "")
    return f"<style>{rules}</style>"
