"""Local time: meetings happen in China Standard Time whatever the server's clock zone."""
import datetime as dt
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")


def local_now() -> dt.datetime:
    """Now, as a naive local datetime (how meeting times are stored)."""
    return dt.datetime.now(CST).replace(tzinfo=None)


def local_today() -> dt.date:
    return local_now().date()
