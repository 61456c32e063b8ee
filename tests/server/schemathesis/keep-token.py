"""Schemathesis hooks for the suite's run: the run must not revoke the admin token it runs with.

Schemathesis reads ids from earlier answers (GET /v1/admin/tokens lists this token) and uses them
as path parameters; a DELETE /v1/admin/tokens/{that id} would end the run with every later request
answered 401. Such a call gets another id (which names no token: 404) instead.
"""
import os

import schemathesis

TOKEN_ID = os.environ["WRITER_SCHEMATHESIS_TOKEN_ID"].lower()
ELSEWHERE = "00000000-0000-4000-8000-000000000000"


@schemathesis.hook
def before_call(context, case, kwargs):
    params = case.path_parameters or {}
    if case.method.upper() == "DELETE" and case.operation.path == "/v1/admin/tokens/{id}" and str(params.get("id", "")).lower() == TOKEN_ID:
        params["id"] = ELSEWHERE
