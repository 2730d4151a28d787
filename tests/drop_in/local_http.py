"""A local HTTP server for tests of API destinations: it records every request and answers
each path with the responses given for it, in order (the last one repeats)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional


@dataclass
class Request:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: Dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @staticmethod
    def token(access_token: str, expires_in: Optional[int] = 3600) -> "Answer":
        document = {"access_token": access_token, "token_type": "Bearer"}
        if expires_in is not None:
            document["expires_in"] = expires_in
        return Answer(200, json.dumps(document).encode(), {"Content-Type": "application/json"})


class LocalHttp:
    """``url`` is the server's base URL; ``requests`` what it received, oldest first."""

    def __init__(self):
        self.requests: List[Request] = []
        self.answers: Dict[str, List[Answer]] = {}
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = owner._answer(Request(self.command, self.path, dict(self.headers.items()), body))
                time.sleep(answer.delay)
                self.send_response(answer.status)
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _any

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def answer(self, path: str, *answers: Answer) -> None:
        """Answers requests for ``path`` (without its query) with these, in order."""
        with self._lock:
            self.answers[path] = list(answers)

    def _answer(self, request: Request) -> Answer:
        with self._lock:
            self.requests.append(request)
            queue = self.answers.get(request.path.split("?")[0])
            if not queue:
                return Answer()
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def to(self, path: str) -> List[Request]:
        """The requests for ``path`` (without the query)."""
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
