"""A few deliberately bad rows, as a real platform produces them, so the dashboard's checks have work.

Stations without coordinates, orders with a status the dashboard does not know, and orders whose
accept time is earlier than their dispatch time. The dashboard must count and show them, never crash.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

UNKNOWN_STATUS = "processing"

# kind -> (rows to pick, the change made to each)
FAULTS = {
    "units_without_coordinates": (
        "SELECT id FROM unit WHERE tier = 'station' ORDER BY id LIMIT :n",
        "UPDATE unit SET lon = NULL, lat = NULL WHERE id = :i",
    ),
    "unknown_status": (
        "SELECT id FROM service_order WHERE status = 'rated' ORDER BY id DESC LIMIT :n",
        f"UPDATE service_order SET status = '{UNKNOWN_STATUS}' WHERE id = :i",
    ),
    "steps_out_of_order": (
        "SELECT id FROM service_order WHERE status = 'completed' ORDER BY id DESC LIMIT :n",
        "UPDATE service_order SET accepted_at = placed_at WHERE id = :i",
    ),
}


def inject_bad_rows(engine: Engine, n: int) -> dict[str, list[int]]:
    """Spoil ``n`` rows of each kind (stations with the lowest ids, the newest orders); returns the ids per kind."""
    spoiled: dict[str, list[int]] = {}
    with engine.begin() as conn:
        for kind, (pick, change) in FAULTS.items():
            ids = [r[0] for r in conn.execute(text(pick), {"n": n})]
            for i in ids:
                conn.execute(text(change), {"i": i})
            spoiled[kind] = ids
    return spoiled
