"""Checks the committed OpenAPI document from the outside, against a running service.

1. The document is valid OpenAPI 3.1 (openapi-spec-validator).
2. Each kind's example validates against that kind's request schema (jsonschema, 2020-12).
3. A client generated from the document (openapi-python-client) renders every kind against
   the running service, and the validate and example operations answer as the document says.

Usage: python3 .ci/api_check.py BASE_URL API_KEY
"""

import importlib
import io
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

import jsonschema
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT202012

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi" / "openapi.json"
KINDS = ["request-form", "meeting-minutes", "raci-matrix", "weekly-progress", "agreement"]


def check_spec(spec):
    validate(spec)
    print("openapi-spec-validator: the document is valid OpenAPI", spec["openapi"])


def check_examples(spec):
    registry = Registry().with_resource("urn:collabdocs", DRAFT202012.create_resource(spec))
    for kind in KINDS:
        op = spec["paths"][f"/v1/documents/{kind}"]["post"]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = {"$ref": "urn:collabdocs" + ref}
        example = json.loads((ROOT / "examples" / f"{kind}.json").read_text())
        validator = jsonschema.Draft202012Validator(schema, registry=registry)
        errors = sorted(validator.iter_errors(example), key=lambda e: list(e.path))
        if errors:
            for e in errors:
                print(f"{kind}: /{'/'.join(map(str, e.path))}: {e.message}")
            sys.exit(f"the {kind} example does not match its schema")
        # And a payload the schema refuses is one the schema really refuses.
        bad = dict(example, unknown_field=1)
        if validator.is_valid(bad):
            sys.exit(f"{kind}: the schema accepts an unknown field")
    print("jsonschema: every example matches its kind's schema")


def generate_client(workdir):
    config = workdir / "config.yml"
    config.write_text(
        "literal_enums: true\n"
        "project_name_override: collabdocs-client\n"
        "package_name_override: collabdocs_client\n"
        # Files come back as bytes, whatever their type.
        "content_type_overrides:\n"
        "  application/pdf: application/octet-stream\n"
        "  application/zip: application/octet-stream\n"
    )
    out = workdir / "client"
    subprocess.run(
        [
            "openapi-python-client", "generate",
            "--path", str(SPEC_PATH),
            "--config", str(config),
            "--output-path", str(out),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sys.path.insert(0, str(out))
    return importlib.import_module("collabdocs_client")


def module_name(kind):
    return kind.replace("-", "_")


def check_client(base_url, api_key):
    with tempfile.TemporaryDirectory() as tmp:
        client_pkg = generate_client(pathlib.Path(tmp))
        client = client_pkg.AuthenticatedClient(base_url=base_url, token=api_key, timeout=60)
        models = importlib.import_module("collabdocs_client.models")
        for kind in KINDS:
            name = module_name(kind)
            model_class = getattr(models, "".join(w.capitalize() for w in kind.split("-")))
            example = json.loads((ROOT / "examples" / f"{kind}.json").read_text())

            got = importlib.import_module(f"collabdocs_client.api.kinds.example_{name}").sync(client=client)
            assert isinstance(got, model_class), f"{kind}: example answered {got!r}"
            body = model_class.from_dict(example)
            assert body.to_dict() == example, f"{kind}: the model does not round-trip the example"

            validation = importlib.import_module(f"collabdocs_client.api.documents.validate_{name}").sync(
                client=client, body=body
            )
            assert validation.valid is True, f"{kind}: {validation!r}"

            render = importlib.import_module(f"collabdocs_client.api.documents.render_{name}")
            pdf = render.sync_detailed(client=client, body=body, format_="pdf")
            assert pdf.status_code == 200, f"{kind}: {pdf.status_code} {pdf.content[:300]!r}"
            assert pdf.headers["content-type"] == "application/pdf"
            assert pdf.content.startswith(b"%PDF-"), kind
            docx = render.sync_detailed(client=client, body=body, format_="docx")
            assert docx.status_code == 200, kind
            with zipfile.ZipFile(io.BytesIO(docx.content)) as z:
                text = z.read("word/document.xml").decode()
            title = example.get("title") or example["project"]["name"]
            assert title.split("（")[0][:8] in text, f"{kind}: {title} not in the DOCX"
            print(f"generated client: {kind} rendered (PDF {len(pdf.content)} B, DOCX {len(docx.content)} B)")

        # An error is parsed into the documented problem type.
        render = importlib.import_module("collabdocs_client.api.documents.render_meeting_minutes")
        example = json.loads((ROOT / "examples" / "meeting-minutes.json").read_text())
        body = models.MeetingMinutes.from_dict(example)
        body.meeting.start, body.meeting.end = "15:00", "09:30"
        problem = render.sync(client=client, body=body, format_="pdf")
        assert isinstance(problem, models.Problem), repr(problem)
        assert problem.status == 422 and problem.errors[0].path == "/meeting/end", problem
        print("generated client: a 422 arrives as a Problem naming /meeting/end")


def main():
    base_url, api_key = sys.argv[1], sys.argv[2]
    spec = json.loads(SPEC_PATH.read_text())
    check_spec(spec)
    check_examples(spec)
    check_client(base_url, api_key)


if __name__ == "__main__":
    main()
