"""The pace of the demo's orders, shared by the builder (dashboard/demo/orders.py) and the feeder.

Each function takes a district's profile ``p`` (0 … 1), as a number or a numpy array.
"""

from __future__ import annotations


class Pace:
    """How long each step takes and how orders end, as functions of a district's profile p (0 … 1).

    Medians in minutes or hours, log-normal spreads ``sigma``; a few orders stall at one step, some
    are re-dispatched, refused or cancelled; better districts are faster and rated higher.
    """

    def dispatch_minutes(self, p):
        """Median minutes from 点单 to 派单."""
        return 8 + 45 * (1 - p)

    def accept_minutes(self, p):
        """Median minutes from 派单 to 接单."""
        return 25 + 120 * (1 - p)

    def complete_hours(self, p):
        """Median hours from 接单 to 完成."""
        return 5 + 30 * (1 - p)

    def rate_hours(self, p):
        """Median hours from 完成 to 评单."""
        return 3 + 20 * (1 - p)

    sigma = {"dispatch": 0.7, "accept": 0.8, "complete": 0.6, "rate": 0.9}
    stall_factor = {"dispatch": 30, "accept": 20, "complete": 8}
    drafted_share = 0.35
    by_team_share = 0.3
    by_centre_share = 0.6
    comment_share = 0.25
    redispatch_factor = 2.5

    def stalls(self, p):
        """Share of orders that stall at one step."""
        return 0.004 + 0.02 * (1 - p)

    def redispatched(self, p):
        """Share of orders dispatched twice."""
        return 0.03 + 0.08 * (1 - p)

    def refused(self, p):
        """Share of orders refused at dispatch."""
        return 0.015 + 0.03 * (1 - p)

    def cancelled(self, p):
        """Share of orders cancelled before dispatch (on top of the refused)."""
        return 0.02

    def rated(self, p):
        """Share of served orders the resident rates."""
        return 0.55 + 0.4 * p

    def rating_mean(self, p):
        """Mean rating (1 … 5, before rounding and clipping)."""
        return 3.4 + 1.5 * p


PACE = Pace()
