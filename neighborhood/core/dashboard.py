"""Resolution rates per level against the street's targets (化解率: grid ≥ 80 %, community ≥ 95 %,
street ≥ 98 %), and "closed" kept apart from "actually solved"."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import Account, Role
from ..extensions import db
from ..items.models import Item, Level, State
from ..places.models import Community, Grid

TARGETS = {Level.HOUSEHOLD: 0.80, Level.SHARED: 0.95, Level.PUBLIC: 0.98}


@dataclass
class LevelFigures:
    level: Level
    items: int  # items that ended up at this level
    solved: int  # verified as solved at this level
    closed_unsolved: int
    open: int

    @property
    def target(self) -> float:
        return TARGETS[self.level]

    @property
    def rate(self) -> float | None:
        finished = self.solved + self.closed_unsolved
        return self.solved / finished if finished else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.rate is None else self.rate >= self.target


def _scoped(query: sa.Select, account: Account) -> sa.Select:
    if account.role == Role.ADMIN:
        return query
    query = query.join(Grid, Grid.id == Item.grid_id)
    if account.role == Role.COMMUNITY:
        return query.where(Grid.community_id == account.community_id)
    return query.join(Community, Community.id == Grid.community_id).where(
        Community.street_id == account.street_id)


# Rates over 90 days do not need to be live to the second: a street's or a district's figures
# are computed at most once every few minutes per area, not on every visit to the home page.
_cache: dict[tuple, tuple[float, list[LevelFigures]]] = {}


def figures(account: Account, since: dt.datetime) -> list[LevelFigures]:
    seconds = current_app.config.get("DASHBOARD_CACHE_SECONDS", 300)
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], account.role, account.street_id,
           account.community_id, since.date())
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < seconds:
        return hit[1]
    result = _figures(account, since)
    if len(_cache) > 1000:
        _cache.clear()
    _cache[key] = (now, result)
    return result


def _figures(account: Account, since: dt.datetime) -> list[LevelFigures]:
    """One grouped query over the items recorded since ``since`` in the account's area."""
    level = sa.func.coalesce(Item.resolved_level, Item.level)
    query = _scoped(
        sa.select(level, Item.state, sa.func.count()).where(Item.created_at >= since,
                                                            Item.level.is_not(None))
        .group_by(level, Item.state), account)
    counts: dict[Level, dict[State, int]] = {lv: {} for lv in Level}
    for lv, state, n in db.session.execute(query):
        counts[Level(lv)][State(state)] = n
    result = []
    for lv in Level:
        by_state = counts[lv]
        total = sum(by_state.values())
        solved = by_state.get(State.RESOLVED, 0)
        closed = by_state.get(State.CLOSED, 0)
        result.append(LevelFigures(lv, total, solved, closed, total - solved - closed))
    return result
