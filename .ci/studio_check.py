"""The studio in a real browser (Debian's chromium driven by Playwright).

Usage: studio_check.py BASE_URL API_KEY TEMPLATES_DIR [SCREENSHOT.png]

The service must run with COLLABDOCS_API_KEYS=API_KEY, a signing key, and
COLLABDOCS_TEMPLATES_DIR=TEMPLATES_DIR with --watch-templates. Every request the page makes is
recorded; one to anywhere but the service fails the check.
"""

import io
import json
import re
import struct
import subprocess
import sys
import tempfile
import zlib
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

BASE, KEY, TEMPLATES = sys.argv[1], sys.argv[2], Path(sys.argv[3])
SCREENSHOT = sys.argv[4] if len(sys.argv) > 4 else None
TITLE = "第四季度渠道协调会"
TASK = "整理渠道反馈意见"
WAIT = 15_000
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def png(width=48, height=24):
    """A small red PNG, made here."""
    rows = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data
                                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def field(page, path):
    """The form's container for a JSON path (JSON Editor's schema path)."""
    return page.locator(f'[data-schemapath="root.{path}"]')


def preview(page):
    return page.frame_locator("#preview").locator("body")


def download(page, selector):
    with page.expect_download() as d:
        page.click(selector)
    dl = d.value
    return dl.suggested_filename, Path(dl.path()).read_bytes()


def docx_text(data):
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    return re.sub(r"<[^>]+>", "", xml)


def ofd_text(data):
    """The text objects' text of every page of an OFD, in order."""
    z = zipfile.ZipFile(io.BytesIO(data))
    pages = sorted((n for n in z.namelist() if re.match(r"Doc_0/Pages/Page_\d+/Content.xml$", n)),
                   key=lambda n: int(re.search(r"Page_(\d+)", n).group(1)))
    codes = [re.findall(r"<ofd:TextCode[^>]*>([^<]*)</ofd:TextCode>", z.read(n).decode()) for n in pages]
    import html
    return "".join(html.unescape(t) for page in codes for t in page)


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"],
                              check=True, capture_output=True, text=True).stdout


def service_file_name(kind, fmt, payload):
    """The file name the service itself gives this payload (from Content-Disposition)."""
    req = urllib.request.Request(
        f"{BASE}/v1/documents/{kind}?format={fmt}", data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as res:
        disposition = res.headers["Content-Disposition"]
    return urllib.parse.unquote(re.search(r"filename\*=UTF-8''([^;]+)", disposition).group(1))


def payload_of(page):
    """The payload as the studio sends it: its JSON tab, kept in step with the form."""
    return json.loads(page.locator("#json").input_value())


def main():
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN",
                                accept_downloads=True)
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: sys.exit(f"script error in the studio: {e}\n{e.stack}"))
        page.on("dialog", lambda d: d.accept())

        # Keys are configured: without one, the 401's message is shown with the key field.
        page.goto(f"{BASE}/studio/")
        expect(page.locator("#auth")).to_be_visible(timeout=WAIT)
        expect(page.locator("#auth-message")).to_contain_text("Bearer", timeout=WAIT)
        page.fill("#api-key", KEY)
        page.click("#api-key-save")
        expect(page.locator("#auth")).to_be_hidden(timeout=WAIT)
        print("ok: the 401 message is shown, the key is taken")

        # Meeting minutes: the example in the form and in the preview.
        page.select_option("#kind", "meeting-minutes")
        title = page.locator('input[name="root[title]"]')
        expect(title).to_have_value(re.compile(".+"), timeout=WAIT)
        expect(preview(page)).to_contain_text(title.input_value(), timeout=WAIT)
        expect(field(page, "meeting.date").locator("input[type=date]")).to_be_visible()
        expect(field(page, "action_items.0.status").locator("select option",
                                                            has_text="进行中")).to_have_count(1)

        # The title, changed: in the preview.
        title.fill(TITLE)
        expect(preview(page)).to_contain_text(TITLE, timeout=WAIT)
        print("ok: a new title is in the preview")

        # A required field emptied: the error at that field.
        title.fill("")
        expect(field(page, "title").locator(".cd-error")).to_be_visible(timeout=WAIT)
        expect(field(page, "title").locator(".cd-error")).to_have_attribute("data-pointer", "/title")
        title.fill(TITLE)
        expect(field(page, "title").locator(".cd-error")).to_have_count(0, timeout=WAIT)
        print("ok: an emptied required field shows its error, and the error goes")

        # An action item row added and filled; a due date before the meeting is a warning.
        rows = lambda: page.evaluate(
            """() => [...document.querySelectorAll('[data-schemapath^="root.action_items."]')]
                 .filter(e => e.dataset.schemapath.split('.').length === 3).length""")
        before = rows()
        page.get_by_role("button", name="添加行动项", exact=True).click()
        page.wait_for_function(f"() => document.querySelectorAll("
                               f"'[data-schemapath=\"root.action_items.{before}\"]').length > 0")
        assert rows() == before + 1, (before, rows())
        row = f"action_items.{before}"
        field(page, f"{row}.task").locator("input").fill(TASK)
        field(page, f"{row}.owner").locator("input[type=text]").first.fill("王芳")
        field(page, f"{row}.due").locator("input").fill("2026-07-01")
        expect(preview(page)).to_contain_text(TASK, timeout=WAIT)
        expect(field(page, f"{row}.due").locator(".cd-warning")).to_be_visible(timeout=WAIT)
        expect(field(page, f"{row}.due").locator(".cd-error")).to_have_count(0)
        print("ok: an action item row is added, previewed, and its early due date warned")

        # An image through its file picker: the logo in the preview's page header.
        logo = field(page, "organization.logo")
        expect(preview(page).locator("img")).to_have_count(0)
        logo.locator("input.json-editor-opt-in").check()
        logo.locator("input[type=file]").set_input_files(files=[{
            "name": "logo.png", "mimeType": "image/png", "buffer": png()}])
        expect(preview(page).locator('img[src^="data:image/png"]').first).to_be_attached(timeout=WAIT)
        print("ok: a logo chosen with the file picker is in the preview")

        if SCREENSHOT:
            page.screenshot(path=SCREENSHOT)

        # Downloads: the new title and row inside each file, under the service's file name.
        payload = payload_of(page)
        assert payload["title"] == TITLE and payload["action_items"][before]["task"] == TASK
        for fmt, read in [("docx", docx_text), ("pdf", pdf_text), ("ofd", ofd_text)]:
            name, data = download(page, f'[data-download="{fmt}"]:not([data-sign])')
            text = read(data)
            assert TITLE in text, f"{fmt}: the title is not in the file"
            assert TASK in text, f"{fmt}: the new action item is not in the file"
            assert name == service_file_name("meeting-minutes", fmt, payload), name
            print(f"ok: the {fmt} download holds the new title and row, named {name}")
        name, data = download(page, '[data-download="xlsx"]')
        assert name.endswith(".xlsx") and data[:2] == b"PK", name
        assert page.locator("#signed").is_hidden(), "meeting minutes are not signed"

        # The JSON tab and the form stay in step.
        page.click("#tab-json")
        text = page.locator("#json").input_value()
        assert json.loads(text)["title"] == TITLE
        page.fill("#json", text.replace(TITLE, "第四季度渠道复盘会"))
        expect(preview(page)).to_contain_text("第四季度渠道复盘会", timeout=WAIT)
        page.click("#tab-form")
        expect(title).to_have_value("第四季度渠道复盘会", timeout=WAIT)
        print("ok: an edit in the JSON tab reaches the form and the preview")

        # Export, then import.
        with page.expect_download() as d:
            page.click("#export")
        exported = json.loads(Path(d.value.path()).read_text())
        assert exported["title"] == "第四季度渠道复盘会", exported["title"]
        assert list(exported)[:3] == ["document_no", "organization", "title"], list(exported)
        exported["title"] = "导入的会议纪要"
        page.set_input_files("#import-file", files=[{
            "name": "minutes.json", "mimeType": "application/json",
            "buffer": json.dumps(exported, ensure_ascii=False).encode()}])
        expect(title).to_have_value("导入的会议纪要", timeout=WAIT)
        expect(preview(page)).to_contain_text("导入的会议纪要", timeout=WAIT)
        print("ok: export gives the payload; import fills the form")

        # A template edited on disk: the preview follows; a broken one shows its error and
        # the last good template keeps rendering.
        template = TEMPLATES / "meeting-minutes.hbs"
        source = template.read_text()
        template.write_text(source.replace("一、基本信息", "一、会议基本信息（模板已改）"))
        expect(preview(page)).to_contain_text("会议基本信息（模板已改）", timeout=WAIT)
        print("ok: a changed template is in the next preview")
        template.write_text(source.replace("一、基本信息", "一、{{#if doc.title}}基本信息"))
        banner = page.locator("#template-error")
        expect(banner).to_be_visible(timeout=WAIT)
        expect(banner).to_contain_text("meeting-minutes.hbs")
        expect(banner).to_contain_text("行")
        title.fill("模板出错后的会议")
        expect(preview(page)).to_contain_text("模板出错后的会议", timeout=WAIT)
        expect(preview(page)).to_contain_text("会议基本信息（模板已改）")
        template.write_text(source)
        expect(banner).to_be_hidden(timeout=WAIT)
        expect(preview(page)).not_to_contain_text("模板已改", timeout=WAIT)
        print("ok: a broken template is reported with its line; the last good one renders")

        # Word templates: a named one of the kind, its tags beside the form's data, the DOCX
        # filled with what the form holds and its PDF; no signed PDF is offered for it.
        expect(page.locator("#word-field")).to_be_visible(timeout=WAIT)
        page.select_option("#word", "letterhead-minutes")
        expect(page.locator("#word-pane")).to_be_visible(timeout=WAIT)
        expect(page.locator("#word-tags")).to_contain_text("doc.action_items[].task", timeout=WAIT)
        assert page.locator("#signed").is_hidden()
        assert page.locator('[data-download="xlsx"]').is_hidden()
        title.fill("信笺上的会议纪要")
        expect(preview(page)).to_contain_text("信笺上的会议纪要", timeout=WAIT)
        expect(preview(page)).to_contain_text("华远科技有限公司")
        expect(page.locator("#status")).to_contain_text("DOCX", timeout=WAIT)
        name, data = download(page, '[data-download="docx"]')
        assert "信笺上的会议纪要" in docx_text(data) and name.endswith(".docx"), name
        name, data = download(page, '[data-download="pdf"]:not([data-sign])')
        assert "信笺上的会议纪要" in re.sub(r"\s+", "", pdf_text(data)) and name.endswith(".pdf"), name
        print(f"ok: a named Word template is previewed, lists its tags and downloads filled, as DOCX and PDF ({name})")
        # A .docx from this computer: read by the service, its tags shown, filled the same way.
        page.set_input_files("#upload-word-file", files=[{
            "name": "本部门信笺.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": (TEMPLATES / "word/letterhead-minutes/template.docx").read_bytes()}])
        expect(page.locator("#word-title")).to_contain_text("本部门信笺.docx", timeout=WAIT)
        expect(preview(page)).to_contain_text("信笺上的会议纪要", timeout=WAIT)
        name, data = download(page, '[data-download="docx"]')
        assert "信笺上的会议纪要" in docx_text(data), name
        print("ok: an uploaded Word template is previewed, lists its tags and downloads filled")
        page.select_option("#word", "")
        expect(preview(page)).to_contain_text("信笺上的会议纪要", timeout=WAIT)
        # A kind a folder defines: its form from its own schema, its DOCX.
        page.select_option("#kind", "travel-request")
        expect(page.locator('input[name="root[destination]"]')).to_have_value("成都、重庆", timeout=WAIT)
        expect(page.locator("#word-pane")).to_be_visible(timeout=WAIT)
        page.fill('input[name="root[destination]"]', "西安")
        expect(preview(page)).to_contain_text("西安", timeout=WAIT)
        expect(page.locator("#status")).to_contain_text("DOCX", timeout=WAIT)
        name, data = download(page, '[data-download="docx"]')
        assert "西安" in docx_text(data) and name.endswith(".docx"), name
        print(f"ok: a kind a folder defines has its form and its DOCX ({name})")

        # Excel templates: a named workbook of the kind, its cells and loops beside the form's
        # data, previewed as tables, downloaded as an XLSX filled with what the form holds.
        page.select_option("#kind", "weekly-progress")
        expect(page.locator("#word-field")).to_be_visible(timeout=WAIT)
        page.select_option("#word", "excel:weekly-progress")
        expect(page.locator("#word-title")).to_contain_text("Excel 模板", timeout=WAIT)
        expect(page.locator("#word-tags")).to_contain_text("doc.tasks[].task", timeout=WAIT)
        expect(preview(page)).to_contain_text("周进展表", timeout=WAIT)
        assert page.locator('[data-download="docx"]').is_hidden()
        expect(page.locator("#status")).to_contain_text("XLSX", timeout=WAIT)
        name, data = download(page, '[data-download="xlsx"]')
        sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
        assert name.endswith(".xlsx") and "周进展表" in sheet, name
        print(f"ok: a named Excel template is previewed as tables, lists its cells and downloads filled ({name})")
        # A .xlsx from this computer: read by the service, its cells shown, filled the same way.
        page.set_input_files("#upload-word-file", files=[{
            "name": "我们的周报.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": (TEMPLATES / "excel/weekly-progress/template.xlsx").read_bytes()}])
        expect(page.locator("#word-title")).to_contain_text("我们的周报.xlsx", timeout=WAIT)
        expect(page.locator("#word-tags")).to_contain_text("第 5:5 行", timeout=WAIT)
        expect(preview(page)).to_contain_text("周进展表", timeout=WAIT)
        name, data = download(page, '[data-download="xlsx"]')
        assert data.startswith(b"PK") and name.endswith(".xlsx"), name
        print("ok: an uploaded Excel template is previewed, lists its cells and loops and downloads filled")
        # A kind an Excel folder defines: its form, one table per department, its XLSX.
        page.select_option("#kind", "duty-list")
        expect(page.locator('input[name="root[project]"]')).to_have_value("Q3新产品上市推广", timeout=WAIT)
        expect(preview(page)).to_contain_text("研发部 职责清单", timeout=WAIT)
        page.fill('input[name="root[project]"]', "年度预算编制")
        expect(preview(page)).to_contain_text("年度预算编制", timeout=WAIT)
        name, data = download(page, '[data-download="xlsx"]')
        book = zipfile.ZipFile(io.BytesIO(data))
        assert "年度预算编制" in book.read("xl/worksheets/sheet1.xml").decode(), name
        assert "市场部" in book.read("xl/workbook.xml").decode(), name
        print(f"ok: a kind an Excel folder defines has its form, its preview and its XLSX ({name})")

        # An agreement can be signed here: the signed PDF comes with its signature.
        page.select_option("#kind", "agreement")
        expect(page.locator("#signed")).to_be_visible(timeout=WAIT)
        expect(preview(page)).to_contain_text("协议", timeout=WAIT)
        name, data = download(page, "#signed")
        assert data.startswith(b"%PDF") and b"/ByteRange" in data and name.endswith(".pdf"), name
        print(f"ok: the signed PDF downloads ({name})")

        browser.close()

    outside = sorted({u for u in requests if u.startswith(("http:", "https:", "ws:", "wss:"))
                      and not u.startswith(BASE + "/")})
    assert not outside, f"the studio asked outside the service: {outside}"
    asked = sorted({re.sub(r"\?.*", "", u[len(BASE):]) for u in requests if u.startswith(BASE)})
    print(f"ok: {len(requests)} requests, every one to the service: {asked}")


if __name__ == "__main__":
    main()
