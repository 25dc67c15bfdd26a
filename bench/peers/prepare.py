"""Builds what the peers render: the meeting-minutes payload with 20 action items (collabdocs
takes it as is), the same content flattened into display strings (the peers only fill in
text, so dates, labels and names arrive formatted), and one DOCX template per peer syntax,
with the sections of our meeting-minutes document.

Usage: python3 bench/peers/prepare.py WORK_DIR
"""

import copy
import json
import pathlib
import sys

from docx import Document
from docx.shared import Pt

ROOT = pathlib.Path(__file__).resolve().parents[2]
STATUS = {"open": "未开始", "in_progress": "进行中", "done": "已完成"}
KIND = {"decision": "需决策", "sync": "需同步"}


def zh(date):
    y, m, d = date.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def person(p):
    if isinstance(p, str):
        return p
    extra = "·".join(x for x in (p.get("department"), p.get("title")) if x)
    return f"{p['name']}（{extra}）" if extra else p["name"]


def payload():
    m = json.loads((ROOT / "examples" / "meeting-minutes.json").read_text())
    base = m["action_items"]
    owners = [("李明", "市场部"), ("张伟", "销售部"), ("陈静", "研发部"), ("刘洋", "财务部"), ("王芳", "市场部")]
    items = copy.deepcopy(base)
    for i in range(len(base), 20):
        owner, dept = owners[i % len(owners)]
        items.append({
            "task": f"第{i + 1}项：核对{dept}渠道数据并提交分析报告",
            "owner": owner,
            "department": dept,
            "due": f"2026-08-{10 + i % 15:02d}",
            "deliverable": f"分析报告{i + 1}",
            "status": ["open", "in_progress", "done"][i % 3],
        })
    m["action_items"] = items
    return m


def context(m):
    meeting = m["meeting"]
    return {
        "title": m["title"],
        "project": m["project"]["name"],
        "document_no": m["document_no"],
        "organization": m["organization"]["name"],
        "date": zh(meeting["date"]),
        "time": f"{meeting['start']}—{meeting['end']}",
        "location": meeting["location"],
        "host": person(meeting["host"]),
        "recorder": person(meeting["recorder"]),
        "attendees": "、".join(person(p) for p in m["attendees"]),
        "absentees": "、".join(person(p) for p in m["absentees"]),
        "cc": "、".join(m["cc"]),
        "objective": m["objective"],
        "agenda": [{"n": i + 1, "title": a["title"], "owner": person(a["owner"]), "minutes": str(a["minutes"]), "kind": KIND[a["kind"]]} for i, a in enumerate(m["agenda"])],
        "discussions": [{"topic": d["topic"], "summary": d["summary"], "views": "；".join(f"{v['party']}：{v['view']}" for v in d["viewpoints"])} for d in m["discussions"]],
        "decisions": [{"n": i + 1, "text": d} for i, d in enumerate(m["decisions"])],
        "actions": [{"n": i + 1, "task": a["task"], "owner": person(a["owner"]), "department": a["department"], "due": zh(a["due"]), "deliverable": a["deliverable"], "status": STATUS[a["status"]]} for i, a in enumerate(m["action_items"])],
        "issues": [{"issue": o["issue"], "next_step": o["next_step"], "owner": person(o["owner"]), "due": zh(o["due"])} for o in m["open_issues"]],
        "next": f"{zh(m['next_meeting']['date'])} {m['next_meeting']['time']}，{m['next_meeting']['location']}（{m['next_meeting']['note']}）",
        "distributed": zh(m["distributed_on"]),
        "signoff": [{"name": s["name"], "department": s["department"], "title": s["title"], "date": zh(s["signed_on"])} for s in m["sign_off"]],
    }


# Each syntax: a scalar field, and how a table row repeats for a list.
SYNTAX = {
    "docxtpl": {
        "field": lambda f: "{{ " + f + " }}",
        "item": lambda list_, f: "{{ r." + f + " }}",
        "before": lambda list_: "{%tr for r in " + list_ + " %}",
        "after": lambda list_: "{%tr endfor %}",
    },
    "docxtemplater": {
        "field": lambda f: "{" + f + "}",
        "item": lambda list_, f: "{" + f + "}",
        "open": lambda list_: "{#" + list_ + "}",
        "close": lambda list_: "{/" + list_ + "}",
    },
    # collabdocs' Word-template tags, filled with the same content under `doc`.
    "collabdocs": {
        "field": lambda f: "{{doc." + f + "}}",
        "item": lambda list_, f: "{{" + f + "}}",
        "open": lambda list_: "{{#each doc." + list_ + "}}",
        "close": lambda list_: "{{/each}}",
    },
    "carbone": {
        "field": lambda f: "{d." + f + "}",
        "item": lambda list_, f: "{d." + list_ + "[i]." + f + "}",
        "next": lambda list_, f: "{d." + list_ + "[i+1]." + f + "}",
    },
}


def table(doc, syntax, list_, headers, fields):
    s = SYNTAX[syntax]
    extra = 2 if syntax in ("docxtpl", "carbone") else 0
    t = doc.add_table(rows=1 + 1 + extra, cols=len(headers))
    t.style = "Table Grid"
    for c, h in zip(t.rows[0].cells, headers):
        c.text = h
    row = 1
    if syntax == "docxtpl":
        t.rows[1].cells[0].text = s["before"](list_)
        row = 2
    cells = t.rows[row].cells
    for i, f in enumerate(fields):
        text = s["item"](list_, f)
        if syntax in ("docxtemplater", "collabdocs"):
            if i == 0:
                text = s["open"](list_) + text
            if i == len(fields) - 1:
                text = text + s["close"](list_)
        cells[i].text = text
    if syntax == "docxtpl":
        t.rows[3].cells[0].text = s["after"](list_)
    if syntax == "carbone":
        for i, f in enumerate(fields):
            t.rows[2].cells[i].text = s["next"](list_, f)


def template(syntax, path):
    s = SYNTAX[syntax]
    f = s["field"]
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.sections[0].header.paragraphs[0].text = f("organization") + "    编号：" + f("document_no")
    doc.add_heading("跨部门会议纪要", 0)
    doc.add_paragraph(f("title") + "（" + f("project") + "）")
    doc.add_heading("一、基本信息", 1)
    info = [("会议名称", "title"), ("会议日期", "date"), ("会议时间", "time"), ("会议地点", "location"), ("主持人", "host"), ("记录人", "recorder")]
    t = doc.add_table(rows=len(info), cols=2)
    t.style = "Table Grid"
    for r, (label, field) in zip(t.rows, info):
        r.cells[0].text = label
        r.cells[1].text = f(field)
    doc.add_heading("二、参会人员", 1)
    doc.add_paragraph("出席：" + f("attendees"))
    doc.add_paragraph("缺席：" + f("absentees"))
    doc.add_paragraph("抄送：" + f("cc"))
    doc.add_heading("三、会议目标", 1)
    doc.add_paragraph(f("objective"))
    doc.add_heading("四、会议议程", 1)
    table(doc, syntax, "agenda", ["序号", "议题", "负责人", "时长（分钟）", "类型"], ["n", "title", "owner", "minutes", "kind"])
    doc.add_heading("五、讨论要点", 1)
    table(doc, syntax, "discussions", ["议题", "讨论摘要", "各方观点"], ["topic", "summary", "views"])
    doc.add_heading("六、共识结论", 1)
    table(doc, syntax, "decisions", ["序号", "结论"], ["n", "text"])
    doc.add_heading("七、行动项", 1)
    table(doc, syntax, "actions", ["序号", "任务", "负责人", "部门", "截止日期", "交付物", "状态"], ["n", "task", "owner", "department", "due", "deliverable", "status"])
    doc.add_heading("八、未决事项", 1)
    table(doc, syntax, "issues", ["事项", "下一步", "负责人", "时限"], ["issue", "next_step", "owner", "due"])
    doc.add_heading("九、下次会议", 1)
    doc.add_paragraph(f("next"))
    doc.add_paragraph("纪要分发日期：" + f("distributed"))
    doc.add_heading("十、签字确认", 1)
    table(doc, syntax, "signoff", ["姓名", "部门", "职务", "日期"], ["name", "department", "title", "date"])
    doc.save(path)


def main():
    work = pathlib.Path(sys.argv[1])
    work.mkdir(parents=True, exist_ok=True)
    m = payload()
    (work / "minutes-20.json").write_text(json.dumps(m, ensure_ascii=False))
    (work / "context.json").write_text(json.dumps(context(m), ensure_ascii=False))
    for syntax in SYNTAX:
        template(syntax, work / f"template-{syntax}.docx")
    # The strings every output must hold: each action item's task, owner, date and status,
    # the title and the sign-off names.
    ctx = context(m)
    expected = [ctx["title"], ctx["location"]] + [a["task"] for a in ctx["actions"]] + [a["deliverable"] for a in ctx["actions"]] + [a["due"] for a in ctx["actions"]] + [s["name"] for s in ctx["signoff"]]
    (work / "expected.json").write_text(json.dumps(expected, ensure_ascii=False))


if __name__ == "__main__":
    main()
