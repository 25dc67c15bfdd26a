"""Talking to the running service from the CI checks."""

import urllib.error
import urllib.request


def post(base, key, path, body, content_type):
    """POST with the API key: (status, content type, body), error statuses included."""
    req = urllib.request.Request(
        base + path,
        data=body,
        method="POST",
        headers={"Content-Type": content_type, "Authorization": f"Bearer {key}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers.get("content-type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type"), e.read()
