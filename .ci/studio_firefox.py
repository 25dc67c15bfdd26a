"""The studio in Firefox (Debian's firefox-esr, driven over Marionette).

Usage: studio_firefox.py BASE_URL API_KEY MARIONETTE_PORT

The browser-independent checks are in studio_check.py (Chromium); this one shows the page
works in Firefox too: the key is taken, the example previews, typing reaches the preview, an
emptied required field shows its error, dates get a date picker, and every resource the page
loaded came from the service.
"""

import sys
import time

from marionette_driver.marionette import Marionette

BASE, KEY, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
PREVIEW = "document.querySelector('#preview').contentDocument.body.textContent"


def wait(m, script, what, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        value = m.execute_script(script)
        if value:
            return value
        time.sleep(0.2)
    sys.exit(f"firefox: {what} did not happen within {seconds} s")


def type_title(m, text):
    m.execute_script(
        """const i = document.querySelector('input[name="root[title]"]');
           i.focus(); i.value = arguments[0];
           i.dispatchEvent(new Event('input', {bubbles: true}));""", script_args=[text])


def main():
    m = Marionette(host="127.0.0.1", port=PORT)
    m.start_session()
    m.navigate(f"{BASE}/studio/#meeting-minutes")
    wait(m, "return !document.querySelector('#auth').hidden", "the key field")
    m.execute_script("""document.querySelector('#api-key').value = arguments[0];
                        document.querySelector('#api-key-save').click();""", script_args=[KEY])
    wait(m, f"return {PREVIEW}.includes('Q3新产品上市推广方案协调会')", "the example's preview")
    print("ok: firefox previews the example")
    type_title(m, "火狐中输入的标题")
    wait(m, f"return {PREVIEW}.includes('火狐中输入的标题')", "the typed title in the preview")
    type_title(m, "")
    wait(m, "return document.querySelector('[data-schemapath=\"root.title\"] .cd-error')",
         "the error at the emptied title")
    kind = m.execute_script(
        "return document.querySelector('[data-schemapath=\"root.meeting.date\"] input').type")
    assert kind == "date", kind
    print("ok: firefox shows typing in the preview, the error at its field, a date picker")
    loaded = m.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat([location.href])")
    outside = [u for u in loaded if u.startswith(("http:", "https:")) and not u.startswith(BASE)]
    assert not outside, f"the studio loaded from outside the service: {outside}"
    print(f"ok: firefox loaded {len(loaded)} resources, all from the service")
    m.delete_session()


if __name__ == "__main__":
    main()
