"""The order index behind `orders` polls: ids of each owner's orders per creation day, kept in the
State so that it works on every backend and is shared by every process.

Without it a poll decoded every stored order to answer a handful (or none). Collection `order_index`:
- OWNER            -> sorted list of the days ("YYYY-MM-DD") on which OWNER has orders
- OWNER/YYYY-MM-DD -> ids of OWNER's orders created that day
- MARK_KEY         -> MARK once the index covers every order
Who owns an order and its day come from the model (Model.owners, Model.day: SNP-AUTH-4, SNP-M-1);
neither changes after an order is placed, so an order is indexed once, when it is placed.
The index is derived data: it is left out of state exports. Without MARK (after a state import, or
a durable state from before the index) placing an order leaves it alone and the first poll rebuilds
it from the orders; the seed rebuilds it once at its end.
"""
from __future__ import annotations

from bisect import bisect_left, insort

COLL = "order_index"
MARK_KEY = "#complete"  # owner keys always contain ":", so this never clashes with one
MARK = {"version": 1}  # bump when the layout changes: older indexes are then rebuilt


class OrderIndex:
    def __init__(self, state, owners, day):
        self.state = state
        self.owners = owners  # order -> the owner keys that see it
        self.day = day        # order -> its creation day, "YYYY-MM-DD"

    def ids(self, owner: str, since: str) -> list[int]:
        """Ids of `owner`'s orders created on `since` or later, in no particular order."""
        self._ensure()
        days = self.state.get(COLL, owner) or []
        found: list[int] = []
        for day in days[bisect_left(days, since):]:
            found.extend(self.state.get(COLL, f"{owner}/{day}") or [])
        return found

    def add(self, order: dict) -> None:
        """Index a newly placed order; call after the order itself is stored, so that a reader who
        finds an id in the index can also read the order."""
        with self.state.lock():
            if self.state.get(COLL, MARK_KEY) != MARK:
                return  # incomplete anyway: the rebuild on first use reads this order too
            day = self.day(order)
            for owner in self.owners(order):
                key = f"{owner}/{day}"
                self.state.put(COLL, key, (self.state.get(COLL, key) or []) + [order["id"]])
                days = self.state.get(COLL, owner) or []
                if day not in days:  # after the day's ids: a reader never meets a day without them
                    insort(days, day)
                    self.state.put(COLL, owner, days)

    def forget(self) -> None:
        """The orders were replaced wholesale (state import): rebuild on next use."""
        self.state.delete(COLL, MARK_KEY)

    def _ensure(self) -> None:
        if self.state.get(COLL, MARK_KEY) == MARK:
            return
        with self.state.lock():
            if self.state.get(COLL, MARK_KEY) != MARK:  # another thread or process may have rebuilt it
                self.rebuild()

    def rebuild(self) -> None:
        """Index every stored order at once: after bulk writes (the seed) this is far cheaper than
        indexing order by order, which costs several round trips each on sqlite and redis."""
        ids: dict[str, list] = {}
        days: dict[str, set] = {}
        with self.state.lock():
            for key, _ in self.state.items(COLL):
                self.state.delete(COLL, key)
            for order in self.state.all("orders"):
                day = self.day(order)
                for owner in self.owners(order):
                    ids.setdefault(f"{owner}/{day}", []).append(order["id"])
                    days.setdefault(owner, set()).add(day)
            for key, value in ids.items():
                self.state.put(COLL, key, value)
            for owner, value in days.items():
                self.state.put(COLL, owner, sorted(value))
            self.state.put(COLL, MARK_KEY, MARK)
