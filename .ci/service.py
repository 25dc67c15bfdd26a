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


def post_form(base, key, path, parts):
    """POST multipart/form-data with the API key; `parts` maps a part's name to its bytes."""
    boundary = "collabdocs-ci-form-boundary"
    body = b""
    for name, data in parts.items():
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                 f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
        body += data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return post(base, key, path, body, f"multipart/form-data; boundary={boundary}")
