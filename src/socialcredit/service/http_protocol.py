"""uvicorn's httptools protocol with a bound on a request's head (`HEADER_MAX_BYTES`).

httptools reads header fields of any size: a client sending a 50 MB header would have the
worker hold it all before the app sees the request. This protocol counts the bytes received
while a request's head is incomplete and answers 431, closing the connection, past the bound
(granian's own parser does the same with its read buffer, `server.py`).
"""

from __future__ import annotations

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from socialcredit.service.server import HEADER_MAX_BYTES

_REFUSAL_BODY = orjson.dumps(
    {
        "error": "header_too_large",
        "detail": f"the request's line and header fields are over {HEADER_MAX_BYTES} bytes",
    }
)
REFUSAL = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/json\r\n"
    b"content-length: %d\r\n"
    b"connection: close\r\n\r\n" % len(_REFUSAL_BODY)
) + _REFUSAL_BODY


class BoundedHeadersProtocol(HttpToolsProtocol):
    _head_bytes = 0
    _head_complete = True  # no request begun yet

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes, self._head_complete = 0, False

    def on_headers_complete(self) -> None:
        self._head_complete = True
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._head_complete or self.transport.is_closing():
            return
        # Counted after parsing, so a head that ends within this read is never refused; at
        # most one read (up to 256 KiB) beyond the bound is held before the refusal.
        self._head_bytes += len(data)
        if self._head_bytes > HEADER_MAX_BYTES:
            self.transport.write(REFUSAL)
            self.transport.close()
