"""schemathesis hooks for .ci/api.sh: send generated PDF bodies (POST /v1/verify,
/v1/sign/prepare), DOCX bodies (POST /v1/templates/word/inspect) and XLSX bodies (POST
/v1/templates/excel/inspect) as bytes."""

import schemathesis

schemathesis.serializer.alias("application/pdf", "application/octet-stream")
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/octet-stream",
)
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
)
