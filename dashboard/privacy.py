"""Residents' and volunteers' personal data on screen: masked for every role but admin.

Pages call :func:`mask_name` / :func:`mask_phone` with ``reveal=reveal_personal_data()``; the
log-in work decides who may see personal data, in :func:`reveal_personal_data` only.
"""

from __future__ import annotations


def reveal_personal_data() -> bool:
    """Whether the current visitor may see names and phone numbers unmasked (admins only)."""
    from dashboard.auth import current_account  # local import: keeps this module free of Streamlit

    account = current_account()
    return account is not None and account.role == "admin"


def mask_name(name: str | None, reveal: bool = False) -> str:
    """张三丰 -> 张**; a one-character name stays as its surname with one star."""
    if not name:
        return ""
    return name if reveal else name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str | None, reveal: bool = False) -> str:
    """13912345678 -> 139****5678."""
    if not phone:
        return ""
    if reveal or len(phone) < 7:
        return phone if reveal else "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
