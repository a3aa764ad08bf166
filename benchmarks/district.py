"""A district-sized data set in PostgreSQL, built fast with INSERT ... SELECT (no ORM row by row).

    DATABASE_URL=postgresql+psycopg://postgres@/district?host=/tmp/nbench-pg \\
        .venv/bin/python benchmarks/district.py [--fresh] [--weeks 52] [--streets 20] ...

What it builds (defaults), next to the Dingshan demo street, which is loaded first with the app's
own ``seed_demo`` so the demo accounts and ids are the same as on a fresh SQLite database:

- 20 streets × 8 communities × 4 estates × 4 residential grids = 2,560 grids, 8 buildings a grid
  (20,480 buildings); each estate has a party branch, an owners' committee and a property company.
- Accounts: street staff per street, community staff per community, a grid head per estate
  (facilitator of its 4 grids), a grid worker per grid, a member per body; password dingshan2022.
- A year of meetings: Tuesday and Friday at 19:30 for ``--weeks`` weeks, every grid (104 a grid,
  266,240 in all); all closed but the last one, the grid's open next meeting.
- 5 new concerns per meeting (1.33 M items), each on its meeting's agenda with an outcome:
  45 % resolved on the spot, 35 % assigned to a body (a task), 8 % escalated, 12 % deferred.
  Assigned, escalated and deferred items come back as carried-over agenda entries three
  meetings later (verified / resolved there), or sit on the open meeting's agenda if that is
  the next one; so the open items, tasks and queues are those of the last week and a half.
- The steps of every item (created, triaged, outcome, accepted, done, taken, answered, verified),
  attendance (4 parties a meeting), the meetings' own history (``meeting_events``, where the
  schema has it), notifications (new task, done, escalated, answered) and one
  published minutes version per closed meeting, whose ``content`` JSON has the shape of
  ``minutes.services.snapshot`` (street … attendance, lines with title, summary, decision …).

Everything is deterministic (hashes of ids, no random). Then VACUUM ANALYZE.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

from common import make_app, print_machine

DISTRICT_COUNTY = "500199"  # a made-up county code: the district's streets are 500199001…
PASSWORD_HASH = (  # werkzeug scrypt hash of "dingshan2022" (the demo password), computed once
    "scrypt:32768:8:1$g46sShMd4m9bBKOz$d9e1800de0eb48bdf083a355fb5a9a29c97dbbb88f79863303f829008"
    "018550f7c90404da113ea2e5b002b2dd5616f32ffda0b716835fdc6104e5bb02e9c4520"
)

# Concerns: title, description, category, level, public. Titles get the building's name in front.
CONCERNS = [
    ("楼道堆放杂物清理",
     "楼道内堆放纸箱和旧家具，影响通行和消防安全，居民多次反映。",
     "sanitation", "household", True),
    ("路灯不亮",
     "主干道至单元门之间三盏路灯不亮，老人晚上出行不便，希望尽快维修。",
     "safety", "household", True),
    ("地下车库入口雨天积水",
     "入口排水沟堵塞，雨天积水深约10厘米，车辆进出困难。",
     "parking", "household", True),
    ("邻里噪音纠纷", "楼上住户深夜噪音，楼下住户多次沟通未果，已初步调解。", "dispute", "household", False),
    ("绿化带枝叶过密", "绿化带枝叶过密，遮挡低层住户采光，夏天蚊虫多。", "greenery", "household", True),
    ("单元入口无障碍改造",
     "单元入口只有台阶，坐轮椅的老人和推婴儿车的居民进出困难。",
     "accessibility", "shared", True),
    ("电梯故障频繁", "电梯本月停运三次，有老人被困十分钟，要求物业彻底检修。", "lifts", "shared", True),
    ("高层电梯满10年安全评估",
     "电梯投用已满10年，需要按规定开展安全评估并公示结果。",
     "lifts", "public", True),
    ("游泳池防护栏加固", "游泳池防护栏不够稳固，孩子们在泳池边玩耍有危险。", "safety", "household", True),
    ("电动车楼道充电", "有住户把电动车推进楼道充电，存在火灾隐患。", "safety", "household", True),
    ("垃圾分类投放点异味", "垃圾分类投放点清运不及时，夏天异味明显。", "sanitation", "household", True),
    ("占用消防通道停车", "夜间有车辆长期占用消防通道，救护车进出受阻。", "parking", "shared", True),
    ("广场舞音响扰民", "晚上广场舞音响音量过大，影响附近住户休息。", "noise", "shared", True),
    ("宠物粪便未清理",
     "小区步道宠物粪便无人清理，居民希望加强文明养犬宣传。",
     "sanitation", "household", True),
    ("外墙瓷砖脱落", "外墙瓷砖脱落砸到楼下花台，需排查整栋外墙安全隐患。", "safety", "shared", True),
    ("下水管道堵塞", "一楼下水管道反复堵塞返水，需要疏通并查明原因。", "other", "household", True),
    ("单元门禁损坏", "单元门禁损坏一周，陌生人可随意进出。", "safety", "household", True),
    ("共享单车乱停放", "小区门口共享单车乱停放，占用盲道和人行道。", "parking", "public", True),
    ("楼顶违章搭建", "顶楼住户在楼顶搭建阳光房，邻居反映影响安全。", "dispute", "shared", False),
    ("商铺油烟扰民", "临街餐馆油烟直排，楼上住户无法开窗。", "noise", "public", True),
]
# The receipt code of an item: its id through a bijection of 40 bits, 8 letters of 5 bits.
_SCRAMBLED = "((it.item_id * 1103515245 + 12345) & 1099511627775)"
RECEIPT_CODE = " || ".join(
    f"substr('23456789ABCDEFGHJKLMNPQRSTUVWXYZ', (({_SCRAMBLED} >> {5 * i}) & 31)::int + 1, 1)"
    for i in range(8))
REPORTERS = ["王建国", "李秀英", "张伟", "刘洋", "陈敏", "杨帆", "赵丽", "黄勇"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--fresh", action="store_true",
                        help="drop every table first and rebuild the schema with the migrations")
    parser.add_argument("--streets", type=int, default=20)
    parser.add_argument("--communities", type=int, default=8, help="a street")
    parser.add_argument("--estates", type=int, default=4, help="a community")
    parser.add_argument("--grids", type=int, default=4, help="an estate")
    parser.add_argument("--buildings", type=int, default=8, help="a grid")
    parser.add_argument("--weeks", type=int, default=52, help="of meetings, two a week")
    parser.add_argument("--items", type=int, default=5, help="new concerns a meeting")
    return parser.parse_args()


def meeting_slots(weeks: int, now: dt.datetime) -> list[dt.datetime]:
    """Tuesdays and Fridays at 19:30, ``2 * weeks`` of them, the last one the next after now."""
    day = now.date()
    slot = None
    while slot is None:
        candidate = dt.datetime.combine(day, dt.time(19, 30))
        if day.isoweekday() in (2, 5) and candidate > now:
            slot = candidate
        day += dt.timedelta(days=1)
    slots = [slot]
    day = slot.date() - dt.timedelta(days=1)
    while len(slots) < 2 * weeks:
        if day.isoweekday() in (2, 5):
            slots.append(dt.datetime.combine(day, dt.time(19, 30)))
        day -= dt.timedelta(days=1)
    return sorted(slots)


class Builder:
    def __init__(self, conn):
        self.conn = conn
        self.started = time.perf_counter()

    def run(self, label: str, sql: str, params: dict | None = None) -> int:
        t0 = time.perf_counter()
        # Always with parameters, so a literal percent sign is always written %% .
        result = self.conn.exec_driver_sql(sql, {"_": 0, **(params or {})})
        self.conn.commit()
        rows = result.rowcount if result.rowcount is not None else -1
        if label:
            count = f"{rows:>11,} rows" if rows >= 0 else " " * 16
            print(f"  {label:<52} {count} {time.perf_counter() - t0:7.1f} s", flush=True)
        return rows

    def scalar(self, sql: str, params: dict | None = None):
        return self.conn.exec_driver_sql(sql, params or {}).scalar()


def build(b: Builder, a, slots: list[dt.datetime]) -> None:
    county = DISTRICT_COUNTY
    n_slots = len(slots)
    concerns = {
        "titles": [c[0] for c in CONCERNS], "descs": [c[1] for c in CONCERNS],
        "cats": [c[2] for c in CONCERNS], "levels": [c[3] for c in CONCERNS],
        "publics": [c[4] for c in CONCERNS], "reporters": REPORTERS,
    }
    t = len(CONCERNS)

    # --- places and accounts ------------------------------------------------------------------
    b.run("streets", """
        INSERT INTO streets (name, code)
        SELECT '基准街道' || lpad(s::text, 2, '0'), %(county)s || lpad(s::text, 3, '0')
        FROM generate_series(1, %(n)s) s""", {"county": county, "n": a.streets})
    b.run("communities", """
        INSERT INTO communities (street_id, name, code)
        SELECT st.id, st.name || '第' || c || '社区', st.code || lpad(c::text, 3, '0')
        FROM streets st CROSS JOIN generate_series(1, %(n)s) c
        WHERE st.code LIKE %(like)s ORDER BY st.code, c""",
          {"n": a.communities, "like": county + "%"})
    b.run("estates", """
        INSERT INTO estates (community_id, name, kind, households)
        SELECT cm.id, cm.name || '锦绣花园' || e || '期', 'property', %(hh)s
        FROM communities cm CROSS JOIN generate_series(1, %(n)s) e
        WHERE cm.code LIKE %(like)s ORDER BY cm.code, e""",
          {"n": a.estates, "like": county + "%", "hh": a.grids * a.buildings * 90})
    b.run("bodies (3 an estate)", """
        INSERT INTO bodies (community_id, estate_id, kind, name, contact_name, contact_phone)
        SELECT es.community_id, es.id, k.kind, es.name || k.suffix, k.contact,
               '023-4' || lpad((es.id * 7 + k.n)::text, 7, '0')
        FROM estates es JOIN communities cm ON cm.id = es.community_id
        CROSS JOIN (VALUES (1, 'party_branch', '网格党支部', '罗书记'),
                           (2, 'owners_committee', '业主委员会', '陈主任'),
                           (3, 'property', '物业服务中心', '周经理')) k(n, kind, suffix, contact)
        WHERE cm.code LIKE %(like)s ORDER BY es.id, k.n""", {"like": county + "%"})
    common = "'', %(pw)s, %(role)s, true, now(), ''"
    b.run("accounts: street staff", f"""
        INSERT INTO accounts (username, name, phone, password_hash, role, active, created_at, email,
                              street_id)
        SELECT 'st' || st.code, st.name || '工作人员', {common}, st.id
        FROM streets st WHERE st.code LIKE %(like)s""",
          {"like": county + "%", "pw": PASSWORD_HASH, "role": "street"})
    b.run("accounts: community staff", f"""
        INSERT INTO accounts (username, name, phone, password_hash, role, active, created_at, email,
                              community_id)
        SELECT 'cm' || cm.code, cm.name || '工作人员', {common}, cm.id
        FROM communities cm WHERE cm.code LIKE %(like)s""",
          {"like": county + "%", "pw": PASSWORD_HASH, "role": "community"})
    b.run("accounts: body members", f"""
        INSERT INTO accounts (username, name, phone, password_hash, role, active, created_at, email,
                              body_id)
        SELECT 'bd' || bo.id, bo.name || ' ' || bo.contact_name, {common}, bo.id
        FROM bodies bo JOIN communities cm ON cm.id = bo.community_id
        WHERE cm.code LIKE %(like)s""",
          {"like": county + "%", "pw": PASSWORD_HASH, "role": "body"})
    b.run("accounts: grid heads (one an estate)", f"""
        INSERT INTO accounts (username, name, phone, password_hash, role, active, created_at, email)
        SELECT 'hd' || es.id, es.name || '网格长', {common}
        FROM estates es JOIN communities cm ON cm.id = es.community_id
        WHERE cm.code LIKE %(like)s""",
          {"like": county + "%", "pw": PASSWORD_HASH, "role": "facilitator"})
    b.run("accounts: grid workers (one a grid)", f"""
        INSERT INTO accounts (username, name, phone, password_hash, role, active, created_at, email)
        SELECT 'gw' || es.id || '-' || g, es.name || '网格员' || g, {common}
        FROM estates es JOIN communities cm ON cm.id = es.community_id
        CROSS JOIN generate_series(1, %(n)s) g
        WHERE cm.code LIKE %(like)s""",
          {"like": county + "%", "pw": PASSWORD_HASH, "role": "facilitator", "n": a.grids})
    b.run("accounts: work phones", """
        UPDATE accounts SET phone = '023-6' || lpad(id::text, 7, '0')
        WHERE username LIKE 'gw%%' OR username LIKE 'hd%%'""")
    b.run("grids", """
        INSERT INTO grids (community_id, estate_id, party_branch_id, name, code, kind, households,
                           area, worker_id, head_id, meeting_weekdays, meeting_time, meeting_place,
                           calendar_token)
        SELECT es.community_id, es.id, pb.id, es.name || '第' || g || '网格',
               cm.code || lpad(((e.rank - 1) * %(n)s + g)::text, 3, '0'), 'residential',
               %(hh)s, '', w.id, h.id, '2,5', '19:30', es.name || '党群服务站',
               substr(md5('cal' || es.id || '-' || g), 1, 16)
        FROM (SELECT id, row_number() OVER (PARTITION BY community_id ORDER BY id) AS rank
              FROM estates) e
        JOIN estates es ON es.id = e.id
        JOIN communities cm ON cm.id = es.community_id
        JOIN bodies pb ON pb.estate_id = es.id AND pb.kind = 'party_branch'
        JOIN accounts h ON h.username = 'hd' || es.id
        CROSS JOIN generate_series(1, %(n)s) g
        JOIN accounts w ON w.username = 'gw' || es.id || '-' || g
        WHERE cm.code LIKE %(like)s ORDER BY cm.code, e.rank, g""",
          {"like": county + "%", "n": a.grids, "hh": a.buildings * 90})
    b.run("buildings", """
        INSERT INTO buildings (estate_id, grid_id, name, code, households, qr_token, police_station,
                               police_office, police_officer, police_phone)
        SELECT gr.estate_id, gr.id, n || '栋', lpad(n::text, 5, '0'), 80 + mod(n * 7, 30),
               'q' || substr(md5('qr' || gr.id || '-' || n), 1, 15),
               cm.name || '派出所', cm.name || '警务室', '李警官', '023-47520110'
        FROM (SELECT g.*, row_number() OVER (PARTITION BY estate_id ORDER BY code) AS rank
              FROM grids g) gr
        JOIN communities cm ON cm.id = gr.community_id
        CROSS JOIN LATERAL generate_series((gr.rank - 1) * %(n)s + 1, gr.rank * %(n)s) n
        WHERE cm.code LIKE %(like)s ORDER BY gr.id, n""",
          {"like": county + "%", "n": a.buildings})

    # Helper tables: the district's grids with their people and bodies; their buildings by index.
    b.run("temp: district grids", """
        CREATE TEMP TABLE dg AS
        SELECT g.id AS grid_id, g.worker_id, g.head_id, g.estate_id, g.meeting_place,
               g.name AS grid_name, g.code AS grid_code, es.name AS estate_name,
               cm.id AS community_id, cm.name AS community_name, st.name AS street_name,
               st.id AS street_id,
               pb.id AS party_id, pb.name AS party_name,
               oc.id AS owners_id, oc.name AS owners_name,
               pr.id AS property_id, pr.name AS property_name,
               w.name AS worker_name,
               (SELECT id FROM accounts WHERE body_id = pr.id LIMIT 1) AS property_member,
               (SELECT id FROM accounts WHERE body_id = oc.id LIMIT 1) AS owners_member,
               (SELECT id FROM accounts WHERE body_id = pb.id LIMIT 1) AS party_member,
               (SELECT id FROM accounts WHERE role = 'street' AND street_id = st.id LIMIT 1)
                   AS street_staff,
               (SELECT id FROM accounts WHERE role = 'community' AND community_id = cm.id LIMIT 1)
                   AS community_staff
        FROM grids g JOIN estates es ON es.id = g.estate_id
        JOIN communities cm ON cm.id = g.community_id JOIN streets st ON st.id = cm.street_id
        JOIN bodies pb ON pb.estate_id = es.id AND pb.kind = 'party_branch'
        JOIN bodies oc ON oc.estate_id = es.id AND oc.kind = 'owners_committee'
        JOIN bodies pr ON pr.estate_id = es.id AND pr.kind = 'property'
        JOIN accounts w ON w.id = g.worker_id
        WHERE st.code LIKE %(like)s""", {"like": county + "%"})
    b.run("temp: grid buildings", """
        CREATE TEMP TABLE gb AS
        SELECT grid_id, row_number() OVER (PARTITION BY grid_id ORDER BY code) - 1 AS idx,
               id AS building_id, name AS building_name
        FROM buildings WHERE grid_id IN (SELECT grid_id FROM dg)""")
    b.run("", "CREATE UNIQUE INDEX ON gb (grid_id, idx)")
    b.run("", "ANALYZE dg")
    b.run("", "ANALYZE gb")

    # --- meetings -----------------------------------------------------------------------------
    b.run("meetings (Tue + Fri, the last one open)", """
        INSERT INTO meetings (grid_id, starts_at, place, state, facilitator_id, residents_count,
                              created_at, closed_at, closed_by_id)
        SELECT dg.grid_id, s.t, dg.meeting_place,
               CASE WHEN s.n = %(last)s THEN 'planned' ELSE 'closed' END, dg.worker_id,
               CASE WHEN s.n = %(last)s THEN 0 ELSE 5 + mod(dg.grid_id * 31 + s.n::int * 7, 16) END,
               (s.t - interval '3 days') AT TIME ZONE 'Asia/Shanghai',
               CASE WHEN s.n < %(last)s THEN (s.t + interval '90 minutes') AT TIME ZONE 'Asia/Shanghai' END,
               CASE WHEN s.n < %(last)s THEN dg.worker_id END
        FROM dg CROSS JOIN unnest(%(slots)s::timestamp[]) WITH ORDINALITY AS s(t, n)
        ORDER BY dg.grid_id, s.n""", {"slots": slots, "last": n_slots})
    b.run("temp: meetings", """
        CREATE TEMP TABLE dm AS
        SELECT m.id AS meeting_id, m.grid_id, m.starts_at, m.closed_at, m.state,
               row_number() OVER (PARTITION BY m.grid_id ORDER BY m.starts_at) AS n
        FROM meetings m WHERE m.grid_id IN (SELECT grid_id FROM dg)""")
    b.run("", "CREATE UNIQUE INDEX ON dm (grid_id, n)")
    b.run("", "CREATE UNIQUE INDEX ON dm (meeting_id)")
    b.run("", "ANALYZE dm")
    b.run("attendance (4 parties a meeting)", """
        INSERT INTO meeting_attendance (meeting_id, party, present, names)
        SELECT dm.meeting_id, p.party, dm.state = 'closed',
               CASE WHEN dm.state = 'closed' THEN p.names ELSE '' END
        FROM dm CROSS JOIN (VALUES (1, 'party_branch', '罗书记'), (2, 'grid', '网格员'),
                                   (3, 'owners_committee', '陈主任'), (4, 'property', '周经理'))
                           p(k, party, names)
        ORDER BY dm.meeting_id, p.k""")

    # --- concerns: one row a concern with everything decided about it -------------------------
    b.run("temp: concerns and their fate", """
        CREATE TEMP TABLE it AS
        WITH base AS (
          SELECT nextval('items_id_seq') AS item_id, dm.meeting_id, dm.grid_id, dm.n, k,
                 dm.starts_at, dm.closed_at, dm.state = 'planned' AS on_open,
                 (hashtext(dm.meeting_id || '-' || k)::bigint + 2147483648) AS h
          FROM dm CROSS JOIN generate_series(1, %(items)s) k
          ORDER BY dm.meeting_id, k
        ), shaped AS (
          SELECT base.*, mod(h, %(t)s)::int + 1 AS tpl, mod(h / 100, 100) AS roll,
                 mod(h / 10000, 100) AS roll2, mod(h / 1000000, %(buildings)s) AS bidx,
                 least(n + 3, %(last)s) AS follow_n
          FROM base
        )
        SELECT s.*,
               CASE WHEN on_open THEN NULL
                    WHEN roll < 45 THEN 'resolved' WHEN roll < 80 THEN 'assigned'
                    WHEN roll < 88 THEN 'escalated' ELSE 'deferred' END AS outcome,
               (%(levels)s::text[])[tpl] AS level0,
               (%(titles)s::text[])[tpl] AS title0,
               (%(descs)s::text[])[tpl] AS description,
               (%(cats)s::text[])[tpl] AS category,
               (%(publics)s::boolean[])[tpl] AS is_public,
               CASE WHEN roll2 < 12 THEN (%(reporters)s::text[])[1 + mod(h / 7, 8)::int] ELSE '' END
                   AS reporter_name,
               CASE WHEN roll2 < 12 THEN '139' || lpad(mod(h, 100000000)::text, 8, '0') ELSE '' END
                   AS reporter_contact,
               CASE WHEN roll2 < 60 THEN 'property' WHEN roll2 < 85 THEN 'owners_committee'
                    ELSE 'party_branch' END AS body_kind,
               fm.meeting_id AS follow_meeting, fm.state = 'closed' AS follow_closed,
               fm.closed_at AS follow_closed_at
        FROM shaped s JOIN dm fm ON fm.grid_id = s.grid_id AND fm.n = s.follow_n""",
          {"items": a.items, "t": t, "buildings": a.buildings, "last": n_slots, **concerns})
    b.run("temp: final state of each concern", """
        ALTER TABLE it ADD COLUMN state text, ADD COLUMN level text, ADD COLUMN escalate_to text,
                       ADD COLUMN stage int""")
    # stage of an open follow-up: 0 = assigned / waiting, 1 = accepted / answered, 2 = done
    b.run("", """
        UPDATE it SET
          stage = mod(h / 13, 3)::int,
          escalate_to = CASE WHEN outcome = 'escalated' THEN
                             CASE WHEN level0 = 'public' THEN 'street' ELSE 'community' END END,
          level = CASE WHEN outcome = 'escalated' THEN
                       CASE WHEN level0 = 'public' THEN 'public' ELSE 'shared' END
                       ELSE level0 END""")
    b.run("", """
        UPDATE it SET state = CASE
          WHEN on_open THEN 'triaged'
          WHEN outcome = 'resolved' THEN 'resolved'
          WHEN follow_closed THEN 'resolved'
          WHEN outcome = 'assigned' THEN (ARRAY['assigned', 'in_progress', 'done'])[stage + 1]
          WHEN outcome = 'escalated' THEN CASE WHEN stage = 2 THEN 'done' ELSE 'escalated' END
          ELSE 'deferred' END""")
    b.run("", "CREATE UNIQUE INDEX ON it (item_id)")
    b.run("", "ANALYZE it")

    b.run("items", f"""
        INSERT INTO items (id, grid_id, building_id, unit, title, description, category, source,
                           reporter_name, reporter_contact, is_public, receipt_code, level, state,
                           body_id, responsible_person, due_date, escalated_to, resolved_level,
                           handler_id, answer, resolved_at, created_by_id, created_at, updated_at)
        SELECT it.item_id, it.grid_id, gb.building_id, (1 + mod(it.h / 17, 4)) || '单元',
               gb.building_name || it.title0, it.description, it.category,
               (ARRAY['home_visit', 'meeting', 'walk_in', 'phone', 'qr'])[1 + mod(it.h / 3, 5)::int],
               it.reporter_name, it.reporter_contact, it.is_public,
               {RECEIPT_CODE},
               it.level, it.state,
               CASE WHEN it.outcome = 'assigned' THEN
                    CASE it.body_kind WHEN 'property' THEN dg.property_id
                         WHEN 'owners_committee' THEN dg.owners_id ELSE dg.party_id END END,
               CASE WHEN it.outcome = 'assigned' THEN
                    CASE it.body_kind WHEN 'property' THEN '周经理'
                         WHEN 'owners_committee' THEN '陈主任' ELSE '罗书记' END ELSE '' END,
               CASE WHEN it.outcome = 'assigned' THEN (it.starts_at + interval '7 days')::date END,
               it.escalate_to,
               CASE WHEN it.state = 'resolved' THEN
                    CASE WHEN it.outcome = 'resolved' THEN 'household' ELSE it.level END END,
               CASE WHEN it.outcome = 'escalated' AND (it.follow_closed OR it.stage > 0) THEN
                    CASE it.escalate_to WHEN 'street' THEN dg.street_staff ELSE dg.community_staff END END,
               CASE WHEN it.outcome = 'escalated' AND (it.follow_closed OR it.stage = 2) THEN
                    '已协调相关部门处理，请网格在下次邻里会上核实。' ELSE '' END,
               CASE WHEN it.state = 'resolved' THEN
                    CASE WHEN it.outcome = 'resolved' THEN it.closed_at ELSE it.follow_closed_at END END,
               dg.worker_id,
               (it.starts_at - (1 + mod(it.h / 19, 3)) * interval '1 day') AT TIME ZONE 'Asia/Shanghai',
               coalesce(CASE WHEN it.state = 'resolved' AND it.outcome <> 'resolved'
                             THEN it.follow_closed_at END, it.closed_at,
                        (it.starts_at - interval '1 day') AT TIME ZONE 'Asia/Shanghai')
        FROM it JOIN dg ON dg.grid_id = it.grid_id
        JOIN gb ON gb.grid_id = it.grid_id AND gb.idx = it.bidx
        ORDER BY it.item_id""")

    # --- agenda entries: the new concerns, then the carried-over ones three meetings later -----
    b.run("agenda entries", """
        INSERT INTO agenda_entries (meeting_id, item_id, position, carried_over, notes, decision,
                                    level, outcome, body_id, responsible_person, due_date,
                                    escalate_to, version, updated_at, updated_by_id)
        SELECT e.meeting_id, e.item_id,
               row_number() OVER (PARTITION BY e.meeting_id ORDER BY e.carried_over DESC, e.item_id),
               e.carried_over, e.decision, e.decision, e.level, e.outcome, e.body_id,
               e.responsible_person, e.due_date, e.escalate_to, e.version, e.updated_at,
               e.updated_by_id
        FROM (
          SELECT it.meeting_id, it.item_id, false AS carried_over,
                 CASE it.outcome
                   WHEN 'resolved' THEN '会上协调当日处理，网格员现场核实。'
                   WHEN 'assigned' THEN '由' || i.responsible_person || '负责处理，完成后在业主群公示照片。'
                   WHEN 'escalated' THEN '超出网格处理能力，上报' ||
                        CASE it.escalate_to WHEN 'street' THEN '街道' ELSE '社区' END || '协调。'
                   WHEN 'deferred' THEN '双方同意下次邻里会前再当面沟通。'
                   ELSE '' END AS decision,
                 it.level0 AS level, it.outcome, i.body_id, i.responsible_person, i.due_date,
                 it.escalate_to, CASE WHEN it.on_open THEN 1 ELSE 3 END AS version,
                 coalesce(it.closed_at, now()) AS updated_at, i.created_by_id AS updated_by_id
          FROM it JOIN items i ON i.id = it.item_id
          UNION ALL
          SELECT it.follow_meeting, it.item_id, true,
                 CASE WHEN NOT it.follow_closed THEN ''
                      WHEN it.outcome = 'deferred' THEN '再次沟通后双方达成一致，已解决。'
                      ELSE '网格员现场核实，已解决。' END,
                 it.level,
                 CASE WHEN NOT it.follow_closed THEN NULL
                      WHEN it.outcome = 'deferred' THEN 'resolved' ELSE 'verified' END,
                 NULL, '', NULL, NULL, CASE WHEN it.follow_closed THEN 2 ELSE 1 END,
                 coalesce(it.follow_closed_at, now()), i.created_by_id
          FROM it JOIN items i ON i.id = it.item_id
          WHERE it.outcome IN ('assigned', 'escalated', 'deferred')
        ) e
        ORDER BY e.meeting_id, e.carried_over DESC, e.item_id""")

    # --- tasks ---------------------------------------------------------------------------------
    b.run("tasks (assigned concerns)", """
        INSERT INTO tasks (item_id, body_id, meeting_id, assigned_by_id, assigned_at, decision,
                           responsible_person, due_date, state, accepted_at, done_at, done_note,
                           version)
        SELECT it.item_id, i.body_id, it.meeting_id, i.created_by_id, it.closed_at,
               '由' || i.responsible_person || '负责处理，完成后在业主群公示照片。',
               i.responsible_person, i.due_date,
               CASE WHEN it.follow_closed THEN 'verified'
                    ELSE (ARRAY['open', 'accepted', 'done'])[it.stage + 1] END,
               CASE WHEN it.follow_closed OR it.stage > 0 THEN it.closed_at + interval '1 day' END,
               CASE WHEN it.follow_closed OR it.stage = 2 THEN it.closed_at + interval '3 days' END,
               CASE WHEN it.follow_closed OR it.stage = 2 THEN '已处理完毕，照片已发业主群。' ELSE '' END,
               1 + CASE WHEN it.follow_closed THEN 2 ELSE it.stage END
        FROM it JOIN items i ON i.id = it.item_id
        WHERE it.outcome = 'assigned' ORDER BY it.item_id""")

    # --- steps ---------------------------------------------------------------------------------
    b.run("steps: created + triaged", """
        INSERT INTO item_steps (item_id, meeting_id, actor_id, at, action, from_state, to_state,
                                from_level, to_level, comment)
        SELECT s.item_id, NULL, s.actor, s.at, s.action, s.fs, s.ts, s.fl, s.tl, ''
        FROM (
          SELECT i.id AS item_id, i.created_by_id AS actor, i.created_at AS at, 'created' AS action,
                 'new' AS fs, 'new' AS ts, NULL AS fl, NULL AS tl, 1 AS k
          FROM it JOIN items i ON i.id = it.item_id
          UNION ALL
          SELECT i.id, i.created_by_id, i.created_at + interval '1 hour', 'triaged', 'new',
                 'triaged', NULL, it.level0, 2
          FROM it JOIN items i ON i.id = it.item_id
        ) s ORDER BY s.item_id, s.k""")
    b.run("steps: outcome at the meeting", """
        INSERT INTO item_steps (item_id, meeting_id, actor_id, at, action, from_state, to_state,
                                from_level, to_level, comment)
        SELECT it.item_id, it.meeting_id, dg.worker_id, it.closed_at, it.outcome, 'triaged',
               it.outcome, it.level0, it.level, ''
        FROM it JOIN dg ON dg.grid_id = it.grid_id
        WHERE it.outcome IS NOT NULL ORDER BY it.item_id""")
    b.run("steps: follow-up (accepted, done, taken, answered)", """
        INSERT INTO item_steps (item_id, meeting_id, actor_id, at, action, from_state, to_state,
                                from_level, to_level, comment)
        SELECT it.item_id, NULL,
               CASE WHEN it.outcome = 'assigned' THEN
                    CASE it.body_kind WHEN 'property' THEN dg.property_member
                         WHEN 'owners_committee' THEN dg.owners_member ELSE dg.party_member END
                    ELSE CASE it.escalate_to WHEN 'street' THEN dg.street_staff
                              ELSE dg.community_staff END END,
               it.closed_at + f.days * interval '1 day', f.action, f.fs, f.ts, it.level, it.level,
               f.comment
        FROM it JOIN dg ON dg.grid_id = it.grid_id
        JOIN (VALUES ('assigned', 1, 'task_accepted', 'assigned', 'in_progress', 1, ''),
                     ('assigned', 2, 'done', 'in_progress', 'done', 3, '已处理完毕，照片已发业主群。'),
                     ('escalated', 1, 'taken', 'escalated', 'escalated', 1, ''),
                     ('escalated', 2, 'answered', 'escalated', 'done', 4,
                      '已协调相关部门处理，请网格在下次邻里会上核实。'))
             f(outcome, stage, action, fs, ts, days, comment)
          ON f.outcome = it.outcome AND (it.follow_closed OR it.stage >= f.stage)
        ORDER BY it.item_id, f.stage""")
    b.run("steps: verified / resolved at the follow-up", """
        INSERT INTO item_steps (item_id, meeting_id, actor_id, at, action, from_state, to_state,
                                from_level, to_level, comment)
        SELECT it.item_id, it.follow_meeting, dg.worker_id, it.follow_closed_at,
               CASE WHEN it.outcome = 'deferred' THEN 'resolved' ELSE 'verified' END,
               CASE WHEN it.outcome = 'deferred' THEN 'deferred' ELSE 'done' END, 'resolved',
               it.level, it.level, ''
        FROM it JOIN dg ON dg.grid_id = it.grid_id
        WHERE it.outcome IN ('assigned', 'escalated', 'deferred') AND it.follow_closed
        ORDER BY it.item_id""")

    # --- notifications -------------------------------------------------------------------------
    b.run("notifications", """
        INSERT INTO notifications (account_id, item_id, kind, text, url, dedupe, created_at,
                                   read_at, emailed)
        SELECT n.account_id, n.item_id, n.kind, n.text, n.url, '', n.at,
               CASE WHEN n.at < now() - interval '14 days' THEN n.at + interval '1 day' END, false
        FROM (
          SELECT a.id AS account_id, t.item_id, 'new_task' AS kind, i.title AS text,
                 '/tasks/' || t.id AS url, t.assigned_at AS at
          FROM tasks t JOIN items i ON i.id = t.item_id JOIN accounts a ON a.body_id = t.body_id
          WHERE t.item_id IN (SELECT item_id FROM it)
          UNION ALL
          SELECT dg.worker_id, t.item_id, 'done', i.title, '/items/' || t.item_id, t.done_at
          FROM tasks t JOIN items i ON i.id = t.item_id JOIN dg ON dg.grid_id = i.grid_id
          WHERE t.done_at IS NOT NULL AND t.item_id IN (SELECT item_id FROM it)
          UNION ALL
          SELECT CASE it.escalate_to WHEN 'street' THEN dg.street_staff ELSE dg.community_staff END,
                 it.item_id, 'escalated', i.title, '/queue/' || it.item_id, it.closed_at
          FROM it JOIN items i ON i.id = it.item_id JOIN dg ON dg.grid_id = it.grid_id
          WHERE it.outcome = 'escalated'
          UNION ALL
          SELECT dg.worker_id, it.item_id, 'answered', i.title, '/items/' || it.item_id,
                 it.closed_at + interval '4 days'
          FROM it JOIN items i ON i.id = it.item_id JOIN dg ON dg.grid_id = it.grid_id
          WHERE it.outcome = 'escalated' AND i.answer <> ''
        ) n ORDER BY n.at, n.item_id""")

    # --- the meetings' own history (when the schema has it) -------------------------------------
    if b.scalar("SELECT to_regclass('meeting_events') IS NOT NULL"):
        b.run("meeting events (created, attendance, outcomes, closed)", """
            INSERT INTO meeting_events (meeting_id, actor_id, at, action, detail)
            SELECT ev.meeting_id, ev.actor_id, ev.at, ev.action, left(ev.detail, 200)
            FROM (
              SELECT dm.meeting_id, dg.worker_id AS actor_id,
                     (dm.starts_at - interval '3 days') AT TIME ZONE 'Asia/Shanghai' AS at,
                     'created' AS action,
                     (SELECT count(*) FROM agenda_entries e
                      WHERE e.meeting_id = dm.meeting_id)::text AS detail, 1 AS k
              FROM dm JOIN dg ON dg.grid_id = dm.grid_id
              UNION ALL
              SELECT dm.meeting_id, dg.worker_id, dm.closed_at - interval '80 minutes', 'attendance',
                     m.residents_count::text, 2
              FROM dm JOIN dg ON dg.grid_id = dm.grid_id JOIN meetings m ON m.id = dm.meeting_id
              WHERE dm.state = 'closed'
              UNION ALL
              SELECT e.meeting_id, dg.worker_id, dm.closed_at - interval '10 minutes', 'outcome',
                     i.title || ' · ' || e.outcome, 3
              FROM agenda_entries e JOIN dm ON dm.meeting_id = e.meeting_id
              JOIN dg ON dg.grid_id = dm.grid_id JOIN items i ON i.id = e.item_id
              WHERE e.outcome IS NOT NULL
              UNION ALL
              SELECT dm.meeting_id, dg.worker_id, dm.closed_at, 'closed', '', 4
              FROM dm JOIN dg ON dg.grid_id = dm.grid_id WHERE dm.state = 'closed'
            ) ev ORDER BY ev.meeting_id, ev.k""")

    # --- published minutes, one version a closed meeting ---------------------------------------
    streets = [r[0] for r in b.conn.exec_driver_sql(
        "SELECT DISTINCT street_id FROM dg ORDER BY 1").all()]
    for number, street_id in enumerate(streets, start=1):
        b.run(f"minutes versions, street {number}/{len(streets)}", """
            INSERT INTO minutes_versions (meeting_id, grid_id, number, state, reason, content,
                                          created_at, created_by_id, published_at,
                                          published_by_id)
            SELECT dm.meeting_id, dm.grid_id, 1, 'published', '',
                   json_build_object(
                     'street', dg.street_name, 'community', dg.community_name,
                     'estate', dg.estate_name, 'grid', dg.grid_name, 'grid_code', dg.grid_code,
                     'date', to_char(dm.starts_at, 'YYYY-MM-DD'),
                     'time', to_char(dm.starts_at, 'HH24:MI'),
                     'place', dg.meeting_place, 'facilitator', dg.worker_name,
                     'attendance', json_build_array(
                        json_build_object('party', 'party_branch', 'present', true, 'names', '罗书记'),
                        json_build_object('party', 'grid', 'present', true, 'names', '网格员'),
                        json_build_object('party', 'owners_committee', 'present', true, 'names', '陈主任'),
                        json_build_object('party', 'property', 'present', true, 'names', '周经理')),
                     'residents', m.residents_count, 'intro', '',
                     'lines', lines.lines),
                   dm.closed_at, dg.worker_id, dm.closed_at + interval '1 day', dg.worker_id
            FROM dm JOIN dg ON dg.grid_id = dm.grid_id JOIN meetings m ON m.id = dm.meeting_id
            CROSS JOIN LATERAL (
              SELECT json_agg(json_build_object(
                       'entry_id', e.id, 'item_id', i.id, 'receipt_code', i.receipt_code,
                       'title', i.title, 'building', b.name, 'level', e.level,
                       'category', i.category,
                       'summary', CASE WHEN length(i.description) > 120
                                       THEN left(i.description, 120) || '…' ELSE i.description END,
                       'decision', e.decision, 'outcome', e.outcome,
                       'body', bo.name, 'body_kind', bo.kind,
                       'responsible', e.responsible_person,
                       'due', to_char(e.due_date, 'YYYY-MM-DD'),
                       'escalate_to', e.escalate_to, 'carried_over', e.carried_over,
                       'public', i.is_public) ORDER BY e.position) AS lines
              FROM agenda_entries e JOIN items i ON i.id = e.item_id
              LEFT JOIN buildings b ON b.id = i.building_id
              LEFT JOIN bodies bo ON bo.id = e.body_id
              WHERE e.meeting_id = dm.meeting_id
            ) lines
            WHERE dm.state = 'closed' AND dg.street_id = %(street)s
            ORDER BY dm.meeting_id""", {"street": street_id})

    for seq, table in (("items_id_seq", "items"),):
        b.run(f"sequence {seq}", f"SELECT setval('{seq}', (SELECT max(id) FROM {table}))")


def main() -> None:
    args = parse_args()
    if not args.database_url.startswith("postgresql"):
        sys.exit("district.py needs DATABASE_URL (or --database-url) naming a PostgreSQL database")
    print_machine()
    app = make_app(args.database_url)
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from neighborhood.demo import seed_demo
    from neighborhood.extensions import db
    from neighborhood.timezone import local_now

    t_all = time.perf_counter()
    with app.app_context():
        engine = db.engine
        if args.fresh:
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        inspector = sa.inspect(engine)
        if "alembic_version" not in inspector.get_table_names():
            print("schema: flask db upgrade")
            upgrade()
        with engine.connect() as conn:
            if conn.exec_driver_sql("SELECT count(*) FROM streets WHERE code LIKE %(c)s",
                                    {"c": DISTRICT_COUNTY + "%"}).scalar():
                sys.exit("the district is built already (use --fresh to rebuild)")
        t0 = time.perf_counter()
        seed_demo()
        db.session.commit()
        print(f"  {'demo street (seed_demo)':<52} {'':>16} {time.perf_counter() - t0:7.1f} s")
        slots = meeting_slots(args.weeks, local_now())
        print(f"meetings from {slots[0]:%Y-%m-%d} to {slots[-1]:%Y-%m-%d} ({len(slots)} a grid)")
        with engine.connect() as conn:
            conn.exec_driver_sql("SET work_mem = '256MB'")
            conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
            conn.exec_driver_sql("SET temp_buffers = '512MB'")
            conn.commit()
            build(Builder(conn), args, slots)
        t0 = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        print(f"  {'VACUUM ANALYZE':<52} {'':>16} {time.perf_counter() - t0:7.1f} s")
        with engine.connect() as conn:
            print("\nsize:")
            for table in ("streets", "communities", "estates", "buildings", "grids", "bodies",
                          "accounts", "meetings", "meeting_attendance", "meeting_events", "items",
                          "agenda_entries", "item_steps", "tasks", "notifications",
                          "minutes_versions"):
                if not conn.exec_driver_sql("SELECT to_regclass(%(t)s)", {"t": table}).scalar():
                    continue
                count = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                print(f"  {table:<20} {count:>12,}")
            size = conn.exec_driver_sql(
                "SELECT pg_size_pretty(pg_database_size(current_database()))").scalar()
            print(f"  database size        {size:>12}")
    print(f"built in {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
