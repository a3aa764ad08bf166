"""PDF rendering: the minutes of a 30-item meeting, its notice-board sheet, and the building QR
sheet of an estate of 16 buildings.

    .venv/bin/python benchmarks/pdf.py [-n 20]

On a fresh SQLite database with the demo data, the script builds the meeting through the app's
own services, as a facilitator would: 30 concerns recorded in 西西里小区第2网格 (realistic
Chinese text, some with a phone number or a reporter's name to be masked, three internal ones),
the next meeting prepared, an outcome for each (resolved, assigned to the estate's bodies with a
due date, escalated, deferred), attendance, then closed; the minutes draft is published (which
renders both PDFs once and stores them). Then, ``-n`` times each after one warm-up:

- ``render_minutes_pdf(version)``: the A4 minutes (PDF/A-3b, font subset embedded);
- ``render_minutes_pdf(version, notice=True)``: the notice-board sheet;
- ``GET /places/estates/<id>/qr-codes.pdf``: the QR sheet of 西西里小区 (16 buildings), through the
  route, signed in as the facilitator;
- ``GET /m/<id>.pdf``: the published minutes as residents download them (served from storage);
- the demo's 4-item minutes, for the ratio 30 items / 4 items.

Fonts are checked with ``pdffonts`` (embedded and subset).
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from common import (
    load,
    make_app,
    migrate_and_seed,
    print_machine,
    signed_in,
    summary,
    temp_dir,
)

TARGET_SECONDS = 0.5
TARGET_BYTES = 300_000

# 30 concerns: title, description (phone numbers and a name in two of them, to be masked), category, source
CONCERNS = [
    ("1栋楼道堆放杂物清理",
     "楼道内堆放纸箱和旧家具，影响通行和消防安全，居民多次反映，需要尽快清理。",
     "sanitation", "home_visit"),
    ("东门至1栋路灯不亮", "东门至1栋之间三盏路灯不亮，老人晚上出行不便，已经持续一周。", "safety", "phone"),
    ("地下车库入口雨天积水",
     "入口排水沟堵塞，雨天积水深约10厘米，车辆进出困难，电瓶车容易打滑。",
     "parking", "walk_in"),
    ("2栋邻里噪音纠纷",
     "王建国反映楼上深夜噪音，电话13908231234，已初步调解，双方同意再沟通。",
     "dispute", "walk_in"),
    ("中心花园绿化需要修剪",
     "中心花园和1栋、2栋之间的绿化带枝叶过密，遮挡低层住户采光，夏天蚊虫多。",
     "greenery", "home_visit"),
    ("矮层楼栋无障碍通道改造",
     "低层楼栋入口只有台阶，坐轮椅的老人和推婴儿车的居民进出困难，希望加装坡道和扶手。",
     "accessibility", "meeting"),
    ("高层电梯满10年问题排查",
     "部分高层电梯投用已满10年，需要按规定开展安全评估，并向业主公示评估结果。",
     "lifts", "walk_in"),
    ("小区游泳池防护栏加固",
     "游泳池防护栏不够稳固，孩子们在泳池边玩耍有危险，暑假前必须完成加固。",
     "safety", "phone"),
    ("电动车楼道充电隐患",
     "有住户把电动车推进楼道充电，存在火灾隐患，建议增设集中充电桩。",
     "safety", "home_visit"),
    ("垃圾分类投放点异味", "3栋旁垃圾分类投放点清运不及时，夏天异味明显，蚊蝇滋生。", "sanitation", "qr"),
    ("夜间占用消防通道停车",
     "夜间有车辆长期占用消防通道，救护车进出受阻，需物业加强巡查。",
     "parking", "walk_in"),
    ("广场舞音响扰民",
     "晚上广场舞音响音量过大，影响附近住户休息，希望协商活动时间和音量。",
     "noise", "meeting"),
    ("宠物粪便无人清理",
     "小区步道宠物粪便无人清理，居民希望加强文明养犬宣传并设置拾便袋箱。",
     "sanitation", "home_visit"),
    ("5栋外墙瓷砖脱落", "外墙瓷砖脱落砸到楼下花台，幸未伤人，需排查整栋外墙安全隐患。", "safety", "phone"),
    ("6栋下水管道堵塞返水",
     "一楼下水管道反复堵塞返水，需要疏通并查明原因，住户李秀英联系电话13512345"
     "678。",
     "other", "phone"),
    ("单元门禁损坏", "4栋2单元门禁损坏一周，陌生人可随意进出，老人担心安全。", "safety", "qr"),
    ("小区门口共享单车乱停放",
     "小区门口共享单车乱停放，占用盲道和人行道，需街道协调运营企业。",
     "parking", "meeting"),
    ("顶楼违章搭建", "顶楼住户在楼顶搭建阳光房，邻居反映影响防水和安全。", "dispute", "walk_in"),
    ("临街商铺油烟扰民", "临街餐馆油烟直排，楼上住户无法开窗，需执法部门介入。", "noise", "phone"),
    ("儿童游乐设施破损", "儿童游乐区滑梯破损，有尖锐边角，孩子容易划伤。", "safety", "home_visit"),
    ("快递柜位置不合理", "快递柜放在消防通道旁，取件人多时堵塞通道。", "other", "meeting"),
    ("楼顶水箱清洗", "居民反映自来水有异味，水箱已一年多未清洗。", "sanitation", "walk_in"),
    ("车位划线不清", "地面车位划线模糊，停车经常压线，引发邻里矛盾。", "parking", "phone"),
    ("健身器材老化", "健身区器材老化松动，老人使用时有安全隐患。", "safety", "qr"),
    ("雨水管破裂", "7栋雨水管破裂，下雨时水直接冲刷外墙。", "other", "home_visit"),
    ("小区围墙破损", "北侧围墙有一处破损，外来人员可翻越进入。", "safety", "walk_in"),
    ("业主群信息公开", "居民希望物业在业主群定期公开维修资金使用情况。", "other", "meeting"),
    ("垃圾清运时间过早", "垃圾车每天清晨五点清运，噪音影响休息。", "noise", "phone"),
    ("地下室杂物堆积", "地下室公共区域堆积杂物，存在火灾隐患。", "sanitation", "home_visit"),
    ("老旧小区加装电梯意愿征集",
     "多层住宅居民希望加装电梯，需要征集各单元意愿并协调低层住户。",
     "lifts", "meeting"),
]
OUTCOMES = ["resolved", "assigned", "assigned", "deferred", "resolved", "escalated", "escalated",
            "assigned", "assigned", "assigned"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20)
    return parser.parse_args()


def build_meeting(items: int = 30):
    """A closed, published meeting with ``items`` concerns, through the app's services."""
    import sqlalchemy as sa

    from neighborhood.accounts.models import Account
    from neighborhood.extensions import db
    from neighborhood.items.services import create_item
    from neighborhood.meetings.models import Party
    from neighborhood.meetings.services import (
        bodies_for,
        close_meeting,
        create_next_meeting,
        save_attendance,
        set_outcome,
    )
    from neighborhood.minutes.services import create_draft, publish, update_draft
    from neighborhood.places.models import BodyKind, Grid
    from neighborhood.timezone import local_now, local_today
    from neighborhood.workdays import add_working_days

    grid = db.session.scalar(sa.select(Grid).where(Grid.name == "西西里小区第2网格"))
    actor = db.session.scalar(sa.select(Account).where(Account.username == "hetinghai"))
    buildings = grid.buildings
    for i, (title, description, category, source) in enumerate(CONCERNS[:items]):
        public = category != "dispute"
        create_item(grid, actor, title=title, description=description,
                    building_id=buildings[i % len(buildings)].id, category=category, source=source,
                    level="household" if i % 5 else "shared",
                    reporter_name="王建国" if i == 3 else "", reporter_contact="", is_public=public)
    db.session.commit()
    meeting, _ = create_next_meeting(grid, actor, local_now() - dt.timedelta(days=3))
    today = local_today()
    bodies = {b.kind: b for b in bodies_for(grid)}
    kinds = [BodyKind.PROPERTY, BodyKind.OWNERS_COMMITTEE, BodyKind.PARTY_BRANCH]
    for i, entry in enumerate(meeting.entries):
        outcome = OUTCOMES[i % len(OUTCOMES)]
        body = bodies.get(kinds[i % 3]) or bodies[BodyKind.PROPERTY]
        set_outcome(entry, actor, today, outcome=outcome, level=None,
                    body_id=body.id if outcome == "assigned" else None,
                    responsible_person="周经理" if outcome == "assigned" else "",
                    due_date=add_working_days(today, 5 + i % 5) if outcome == "assigned" else None,
                    escalate_to="community" if outcome == "escalated" else None)
        entry.decision = {
            "resolved": "会上协调物业当日处理，网格员现场核实，居民认可处理结果。",
            "assigned": f"由{body.name}负责处理，完成后在业主群公示照片，网格员跟踪验收。",
            "escalated": "超出网格处理能力，提交社区协调相关部门，答复后在下次邻里会通报。",
            "deferred": "双方同意下次邻里会前再当面沟通，网格员负责约谈。",
        }[outcome]
        entry.notes = entry.decision
    save_attendance(meeting, {p: (True, {"party_branch": "何廷海", "grid": "陈静",
                                         "owners_committee": "陈主任", "property": "周经理"}[p.value])
                              for p in Party}, 12)
    close_meeting(meeting, actor)
    draft = create_draft(meeting, actor)
    update_draft(draft, "本次邻里会逐条梳理了30项事项，其中当场解决、交办物业和业委会、"
                        "上报社区的情况如下。", {})
    db.session.commit()
    publish(draft, actor)
    db.session.commit()
    return meeting, draft


def timed(fn, n: int) -> tuple[dict, bytes]:
    fn()  # warm-up (fonts, templates)
    samples, data = [], b""
    for _ in range(n):
        t0 = time.perf_counter()
        data = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return summary(samples), data


def fonts(data: bytes) -> str:
    if not shutil.which("pdffonts"):
        return "pdffonts not installed"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["pdffonts", f.name], capture_output=True, text=True).stdout
        pages = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    names = sorted({r.split()[0] for r in rows})
    embedded = all(" yes yes " in r for r in rows)
    n_pages = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
    return (f"{n_pages} pages; fonts {', '.join(names)}: "
            f"{'all embedded as subsets' if embedded and rows else 'NOT all embedded subsets'}")


def main() -> None:
    args = parse_args()
    print_machine()
    import weasyprint

    subset = any(Path(p).exists() for p in ("/usr/lib/x86_64-linux-gnu/libharfbuzz-subset.so.0",
                                            "/usr/lib/aarch64-linux-gnu/libharfbuzz-subset.so.0"))
    print(f"WeasyPrint {weasyprint.__version__}; libharfbuzz-subset0 "
          f"{'present' if subset else 'NOT found: CJK subsetting will be slow'}")
    folder = temp_dir("nbench-pdf-")
    app = make_app(f"sqlite:///{folder}/pdf.sqlite3", instance=folder)
    migrate_and_seed(app)
    import sqlalchemy as sa

    from neighborhood.extensions import db
    from neighborhood.minutes.models import MinutesVersion
    from neighborhood.minutes.services import render_minutes_pdf
    from neighborhood.places.models import Estate

    with app.app_context():
        with app.test_request_context():
            t0 = time.perf_counter()
            meeting, version = build_meeting(30)
            built = time.perf_counter() - t0
            version_id = version.id
            lines = len(version.content["lines"])
            public = sum(1 for line in version.content["lines"] if line["public"])
            demo_version = db.session.scalar(
                sa.select(MinutesVersion).where(MinutesVersion.meeting_id != meeting.id)
                .order_by(MinutesVersion.id).limit(1))
            estate = db.session.scalar(sa.select(Estate).where(Estate.name == "西西里小区"))
            estate_id, n_buildings = estate.id, len(estate.buildings)
            print(f"meeting {meeting.id}: {lines} items ({public} public) built, closed and "
                  f"published (both PDFs rendered once) in {built:.1f} s\n")
            results = []
            v = db.session.get(MinutesVersion, version_id)
            results.append(("minutes PDF, 30 items", *timed(lambda: render_minutes_pdf(v), args.n)))
            results.append(("notice-board sheet, 30 items",
                            *timed(lambda: render_minutes_pdf(v, notice=True), args.n)))
            dv = db.session.get(MinutesVersion, demo_version.id)
            results.append((f"minutes PDF, demo ({len(dv.content['lines'])} items)",
                            *timed(lambda: render_minutes_pdf(dv), args.n)))
        client = signed_in(app, "hetinghai")

        def get(path):
            def fetch():
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                data = response.get_data()
                response.close()
                return data
            return fetch

        results.append((f"QR sheet, {n_buildings} buildings (route)",
                        *timed(get(f"/places/estates/{estate_id}/qr-codes.pdf"), args.n)))
        results.append(("GET /m/<id>.pdf, published (from storage)",
                        *timed(get(f"/m/{version_id}.pdf"), args.n)))

    print("| document | median s | p95 s | size KB | pages and fonts |")
    print("|---|---|---|---|---|")
    for label, stats, data in results:
        flag = " ✗" if stats["median"] / 1000 >= TARGET_SECONDS or len(data) >= TARGET_BYTES else ""
        print(f"| {label} | {stats['median'] / 1000:.3f}{flag} | {stats['p95'] / 1000:.3f} | "
              f"{len(data) / 1024:.0f} | {fonts(data)} |")
    print(f"\nload average at the end: {load()}")
    by = {label: stats["median"] for label, stats, _ in results}
    minutes30 = by["minutes PDF, 30 items"]
    demo = next(v for k, v in by.items() if k.startswith("minutes PDF, demo"))
    stored = by["GET /m/<id>.pdf, published (from storage)"]
    print(f"\nratios (medians, same run): 30 items / demo minutes = {minutes30 / demo:.2f}; "
          f"render / serve from storage = {minutes30 / stored:.0f}")


if __name__ == "__main__":
    main()
