"""schemathesis hooks for .ci/api.sh: send generated PDF bodies (POST /v1/verify) and DOCX
bodies (POST /v1/templates/word/inspect) as bytes."""

import schemathesis

schemathesis.serializer.alias("application/pdf", "application/octet-stream")
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/octet-stream",
)
