"""Demo data: Dingshan Street (鼎山街道), Jiangjin, Chongqing, from the 2022 news report.

Figures from the report: 西西里小区 has 1,490 households in 16 buildings and 7 residential grids,
one grid worker a grid; its grid party branch has 1 resident cadre, 2 grid heads (何廷海, 张旭) and
1 deputy. The 西西里/沁园春 shop area has 154 shops in 5 shop grids (30 shops a grid). 艾坪社区 has
4,302 households in 20 grids under 5 party branches. 唐晓敏 is the street's party secretary.
Marked *assumed*: codes, the names of grid workers and of the property company, police details.
Idempotent: every record is found by its natural key before it is created.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from .accounts.models import Account, Role
from .extensions import db
from .items.models import Category, Item, Level, Source
from .items.services import create_item
from .meetings.models import Outcome
from .places.models import (
    Body,
    BodyKind,
    Building,
    Community,
    Estate,
    EstateKind,
    Grid,
    GridKind,
    Street,
)

DEMO_PASSWORD = "dingshan2022"
COUNTY_CODE = "500116"  # GB/T 2260: 江津区

# username, name, role, demo sign-in
DEMO_ACCOUNTS = [
    ("admin", "系统管理员", Role.ADMIN),
    ("tangxiaomin", "唐晓敏", Role.STREET),
    ("zhangxu", "张旭", Role.COMMUNITY),
    ("hetinghai", "何廷海", Role.FACILITATOR),
    ("wuye", "西西里物业 周经理", Role.BODY),
    ("yeweihui", "西西里业委会 陈主任", Role.BODY),
    ("zhujuganbu", "西西里驻居干部 罗书记", Role.BODY),
]

# *assumed* names of the seven grid workers of 西西里小区 and the deputy grid head.
XXL_WORKERS = ["刘芳", "陈静", "杨丽", "黄敏", "周燕", "吴霞", "徐娟"]
XXL_DEPUTY = "王建华"
SHOP_WORKERS = ["赵磊", "孙强", "钱伟", "冯涛", "蒋波"]


def _one(model, **key):
    return db.session.scalar(sa.select(model).filter_by(**key))


def _get_or_create(model, key: dict, **values):
    obj = _one(model, **key)
    if obj is None:
        obj = model(**key, **values)
        db.session.add(obj)
        db.session.flush()
    return obj


def _account(username, name, role, *, password=None, **scope):
    account = _one(Account, username=username)
    if account is None:
        account = Account(username=username, name=name, role=role, **scope)
        if password:
            account.set_password(password)
        db.session.add(account)
        db.session.flush()
    return account


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def seed_demo() -> dict[str, str]:
    """Load the demo; return {username: password} of the accounts one can sign in with."""
    street = _get_or_create(Street, {"name": "鼎山街道"}, code=f"{COUNTY_CODE}001")
    jiangzhou = _get_or_create(Community, {"street_id": street.id, "name": "江州社区"},
                               code=f"{street.code}001")
    aiping = _get_or_create(Community, {"street_id": street.id, "name": "艾坪社区"},
                            code=f"{street.code}002")

    demo = {}
    scopes = {
        Role.STREET: {"street_id": street.id},
        Role.COMMUNITY: {"community_id": jiangzhou.id},
    }
    accounts = {}
    for username, name, role in DEMO_ACCOUNTS[:4]:
        accounts[username] = _account(username, name, role, password=DEMO_PASSWORD,
                                      **scopes.get(role, {}))
        demo[username] = DEMO_PASSWORD
    accounts["hetinghai"].phone = accounts["hetinghai"].phone or "023-47520001"

    xxl = _get_or_create(Estate, {"community_id": jiangzhou.id, "name": "西西里小区"},
                         kind=EstateKind.PROPERTY, households=1490)
    branch = _get_or_create(Body, {"community_id": jiangzhou.id, "name": "西西里小区网格党支部"},
                            kind=BodyKind.PARTY_BRANCH, estate_id=xxl.id,
                            contact_name="何廷海", contact_phone="023-47520001")
    committee = _get_or_create(Body, {"community_id": jiangzhou.id, "name": "西西里小区业主委员会"},
                               kind=BodyKind.OWNERS_COMMITTEE, estate_id=xxl.id,
                               contact_name="陈主任")
    company = _get_or_create(Body, {"community_id": jiangzhou.id, "name": "西西里小区物业服务中心"},
                             kind=BodyKind.PROPERTY, estate_id=xxl.id,
                             contact_name="周经理", contact_phone="023-47520088")
    for (username, name, role), body in zip(DEMO_ACCOUNTS[4:], (company, committee, branch)):
        accounts[username] = _account(username, name, role, password=DEMO_PASSWORD,
                                      body_id=body.id)
        demo[username] = DEMO_PASSWORD

    deputy = _account("wangjianhua", XXL_DEPUTY, Role.FACILITATOR, phone="023-47520010")
    grid_buildings = [2, 2, 2, 2, 2, 3, 3]  # 16 buildings in 7 grids
    households = [94, 94] + [93] * 14  # 1,490 households
    building_no = 0
    for g, count in enumerate(grid_buildings, start=1):
        worker = _account(f"xxl-gw{g}", XXL_WORKERS[g - 1], Role.FACILITATOR,
                          phone=f"023-475200{20 + g}")
        head = accounts["hetinghai"] if g <= 4 else accounts["zhangxu"]
        grid = _get_or_create(
            Grid, {"code": f"{jiangzhou.code}{g:03d}"},
            community_id=jiangzhou.id, estate_id=xxl.id, party_branch_id=branch.id,
            name=f"西西里小区第{g}网格", kind=GridKind.RESIDENTIAL,
            worker_id=worker.id, head_id=head.id, deputy_id=deputy.id,
        )
        grid_households = 0
        for _ in range(count):
            building_no += 1
            hh = households[building_no - 1]
            grid_households += hh
            _get_or_create(
                Building, {"estate_id": xxl.id, "name": f"{building_no}栋"},
                code=f"{building_no:05d}", households=hh, grid_id=grid.id,
                police_station="江津区公安局鼎山派出所", police_office="江州社区警务室",
                police_officer="李警官", police_phone="023-47520110",
            )
        if grid.households is None:
            grid.households = grid_households

    # The 西西里/沁园春 shop area: 154 shops, 5 shop grids, grid heads in A/B roles.
    for g, shops in enumerate(_split(154, 5), start=1):
        worker = _account(f"shop-gw{g}", SHOP_WORKERS[g - 1], Role.FACILITATOR,
                          phone=f"023-475201{10 + g}")
        _get_or_create(
            Grid, {"code": f"{jiangzhou.code}{100 + g:03d}"},
            community_id=jiangzhou.id, name=f"西西里·沁园春商铺第{g}网格",
            kind=GridKind.SHOPS, units=shops, area="西西里、沁园春片区", worker_id=worker.id,
        )

    # 艾坪社区: 4,302 households, 20 grids, 5 party branches of 4 grids each.
    branches = [
        _get_or_create(Body, {"community_id": aiping.id, "name": f"艾坪社区第{n}党支部"},
                       kind=BodyKind.PARTY_BRANCH)
        for n in "一二三四五"
    ]
    for g, hh in enumerate(_split(4302, 20), start=1):
        worker = _account(f"ap-gw{g:02d}", f"艾坪网格员{g:02d}", Role.FACILITATOR)
        _get_or_create(
            Grid, {"code": f"{aiping.code}{g:03d}"},
            community_id=aiping.id, name=f"艾坪社区第{g}网格", kind=GridKind.RESIDENTIAL,
            households=hh, party_branch_id=branches[(g - 1) // 4].id, worker_id=worker.id,
        )
    _seed_past_meeting(accounts["hetinghai"])
    _seed_worklog(accounts["hetinghai"])
    db.session.flush()
    return demo


# A meeting of the week before, closed and published, so the resident side has minutes at once.
# Its items are *assumed*; the dispute is internal and names a resident: it must never be public.
PAST_ITEMS = [
    ("3栋楼道堆放杂物清理", "楼道内堆放纸箱和旧家具，影响通行和消防安全。", Category.SANITATION,
     Source.HOME_VISIT, Outcome.RESOLVED, None, True, "", ""),
    ("小区东门路灯不亮", "东门至1栋之间三盏路灯不亮，老人晚上出行不便。", Category.SAFETY,
     Source.PHONE, Outcome.ASSIGNED, BodyKind.PROPERTY, True, "", ""),
    ("地下车库入口雨天积水", "入口排水沟堵塞，雨天积水深约10厘米。", Category.PARKING,
     Source.WALK_IN, Outcome.ASSIGNED, BodyKind.PROPERTY, True, "", ""),
    ("2栋邻里噪音纠纷", "王建国反映楼上深夜噪音，电话13908231234，已初步调解。", Category.DISPUTE,
     Source.WALK_IN, Outcome.DEFERRED, None, False, "王建国", "13908231234"),
]


def _seed_past_meeting(actor: Account) -> None:
    from .meetings.models import Meeting, MeetingState
    from .meetings.services import close_meeting, create_next_meeting
    from .minutes.services import create_draft, publish
    from .timezone import local_now
    from .workdays import add_working_days

    grid = _one(Grid, name="西西里小区第1网格")
    if db.session.scalar(sa.select(Meeting.id).where(Meeting.grid_id == grid.id)) is not None:
        return
    grid.meeting_place = grid.meeting_place or "西西里小区党群服务站"
    building = grid.buildings[0]
    for title, description, category, source, _outcome, _body, public, name, phone in PAST_ITEMS:
        create_item(grid, actor, title=title, description=description, building_id=building.id,
                    category=category.value, source=source.value, level=Level.HOUSEHOLD.value,
                    reporter_name=name, reporter_contact=phone, is_public=public)
    meeting, _ = create_next_meeting(grid, actor, local_now() - dt.timedelta(days=8))
    bodies = {b.kind: b for b in grid.estate.bodies}
    names = {"party_branch": "何廷海", "grid": "刘芳", "owners_committee": "陈主任",
             "property": "周经理"}
    for row in meeting.attendance:
        row.present, row.names = True, names.get(row.party.value, "")
    meeting.residents_count = 9
    outcomes = {title: (outcome, body) for title, *_, outcome, body, _p, _n, _c in PAST_ITEMS}
    for entry in meeting.entries:
        outcome, body_kind = outcomes[entry.item.title]
        entry.outcome = outcome
        if outcome is Outcome.ASSIGNED:
            entry.body_id = bodies[body_kind].id
            entry.responsible_person = "周经理"
            entry.due_date = add_working_days(meeting.starts_at.date(), 5)
            entry.decision = "物业负责维修，完成后在业主群公示照片。"
        elif outcome is Outcome.RESOLVED:
            entry.decision = "会上协调物业当日清理，网格员现场核实。"
        else:
            entry.decision = "双方同意下次邻里会前再当面沟通。"
        entry.notes = entry.decision
    close_meeting(meeting, actor)
    publish(create_draft(meeting, actor), actor)
    assert meeting.state is MeetingState.CLOSED


# The pending items of a June 2022 "三事分流" work log of 西西里小区, as quoted in the report,
# and the pool guard rail residents had reported. Details and buildings are *assumed*.
WORKLOG = [
    ("小区绿化需要修剪", "中心花园和1栋、2栋之间的绿化带枝叶过密，遮挡低层住户采光。",
     Category.GREENERY, Source.HOME_VISIT, Level.HOUSEHOLD, 1),
    ("矮层楼栋的无障碍通道改造", "低层楼栋入口只有台阶，坐轮椅的老人和推婴儿车的居民进出困难。",
     Category.ACCESSIBILITY, Source.MEETING, Level.SHARED, 2),
    ("高层电梯满10年问题排查", "部分高层电梯投用已满10年，需要按规定开展安全评估。",
     Category.LIFTS, Source.WALK_IN, Level.PUBLIC, 2),
    ("小区游泳池防护栏加固", "游泳池防护栏不够稳固，孩子们在泳池边玩耍有危险。",
     Category.SAFETY, Source.PHONE, Level.HOUSEHOLD, 1),
]


def _seed_worklog(actor: Account) -> None:
    grid = _one(Grid, name="西西里小区第1网格")
    grid.meeting_place = grid.meeting_place or "西西里小区党群服务站"
    buildings = {b.name: b for b in grid.buildings}
    for title, description, category, source, level, building_no in WORKLOG:
        if _one(Item, grid_id=grid.id, title=title) is not None:
            continue
        building = buildings[f"{building_no}栋"]
        create_item(grid, actor, title=title, description=description, building_id=building.id,
                    category=category.value, source=source.value, level=level.value)
