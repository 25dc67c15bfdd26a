"""schemathesis hooks for .ci/api.sh: send generated PDF bodies (POST /v1/verify) as bytes."""

import schemathesis

schemathesis.serializer.alias("application/pdf", "application/octet-stream")
