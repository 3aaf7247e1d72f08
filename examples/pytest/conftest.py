"""Fixtures that run Mailwright for a pytest suite: `serve` on free ports with a throwaway data folder, and a
client that clears the inbox before each test and waits for mail with /api/wait."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVE = os.environ.get("MAILWRIGHT_SERVE", str(ROOT / "out" / "main" / "serve.js"))
NODE = os.environ.get("NODE", shutil.which("node") or "node")
READY = "MAILWRIGHT_READY "


class Mailwright:
    def __init__(self, http, smtp_host, smtp_port):
        self.http = http.rstrip("/")
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port

    def _request(self, method, path, timeout=60):
        # A header the server requires on changes, so a web page cannot make them.
        req = urllib.request.Request(self.http + path, method=method, headers={"X-Mailwright-Request": "1"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                return res.status, json.loads(res.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def clear(self):
        status, _ = self._request("DELETE", "/api/messages")
        assert status == 200

    def wait(self, query, timeout="30s", after=None):
        """The first message matching `query`; raises TimeoutError when none arrives in time."""
        params = {"query": query, "timeout": timeout}
        if after is not None:
            params["after"] = str(after)
        status, body = self._request("GET", "/api/wait?" + urllib.parse.urlencode(params), timeout=330)
        if status == 408:
            raise TimeoutError(body["error"]["message"])
        assert status == 200, body
        return body

    def message(self, message_id):
        status, body = self._request("GET", f"/api/messages/{message_id}")
        assert status == 200, body
        return body


@pytest.fixture(scope="session")
def mailwright_server():
    data = tempfile.mkdtemp(prefix="mailwright-pytest-")
    proc = subprocess.Popen(
        [NODE, SERVE, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", data],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for line in proc.stdout:
            if line.startswith(READY):
                ready = json.loads(line[len(READY):])
                break
        else:
            raise RuntimeError(f"Mailwright exited with {proc.wait()} before it was ready")
        smtp = ready["smtp"][0]
        yield Mailwright(ready["http"], smtp["host"], smtp["port"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def mailwright(mailwright_server):
    """Mailwright with an empty inbox."""
    mailwright_server.clear()
    return mailwright_server
