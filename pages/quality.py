"""数据质量: how many rows the platform wrote that the dashboard cannot use as they are, with samples."""

from __future__ import annotations

import streamlit as st

from dashboard import data, ui
from dashboard.filters import filter_bar
from dashboard.scope import current_scope
from queries import quality

# (check, title, what the sample ids are); the check names are the keys of quality.DEFINITIONS
CHECKS = (
    ("units_without_coordinates", "缺少坐标的阵地", "阵地编号"),
    ("orders_unknown_status", "状态未知的订单", "订单编号"),
    ("orders_out_of_sequence", "流程时间倒置的订单", "订单编号"),
    ("ratings_out_of_range", "评分超出 1–5 分的订单", "订单编号"),
)


def render() -> None:
    """Draw the page."""
    scope = current_scope()
    current = filter_bar(scope)
    found = {
        "units_without_coordinates": data.run(quality.units_without_coordinates, scope, current),
        **data.run(quality.order_checks, scope, current),
    }
    results = [(title, kind, name, found[name]) for name, title, kind in CHECKS]
    st.caption("订单类检查只覆盖所选时间段内下单的订单；要检查全部历史数据，请在左侧把时间范围设为“自定义”。")

    ui.kpi_row(
        [
            ui.Kpi(
                title,
                ui.fmt_int(result["count"]),
                quality.DEFINITIONS[name],
                delta="正常" if result["count"] == 0 else "需核查",
                delta_color="green" if result["count"] == 0 else "red",
                delta_arrow="off",
            )
            for title, _kind, name, result in results
        ]
    )
    for title, kind, name, result in results:
        if not result["count"]:
            continue
        with st.expander(f"{title}：{ui.fmt_int(result['count'])} 条", expanded=False):
            st.caption(quality.DEFINITIONS[name])
            shown = len(result["sample"])
            st.write(f"前 {shown} 条的{kind}：")
            st.code("、".join(str(i) for i in result["sample"]), language=None, wrap_lines=True)
    if all(result["count"] == 0 for *_, result in results):
        st.success("所选范围内未发现数据质量问题。")


ui.run_page("数据质量", render)
