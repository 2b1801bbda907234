"""PDF extraction in a worker process, with a time limit per page and per document.

pypdf can spend minutes on one hostile page (an 11 KB file holding a page of 3 MB of
compressed text read for 27 s; a 200 KB file with a 60 MB content stream for longer), and no
thread can be stopped from outside. So `extract_pdf` runs in a child process
(`python -m beleidsbron.ingest.pdf_worker`) that reports each page it finishes; when no page
finishes within `ReadLimits.page_seconds`, or the whole file takes longer than
`document_seconds`, the child is killed, the file is reported, and the next file gets a fresh
child. The child also limits its own address space, so a decompression bomb fails there with
MemoryError instead of exhausting the server.

The wire format is length-prefixed frames: JSON for requests and replies, raw bytes for the
PDF. One child serves a whole process (`shared_worker()`); starting one costs ~0.3 s.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from typing import BinaryIO

from beleidsbron.ingest.errors import DocumentError
from beleidsbron.ingest.pdf import Extracted, ReadLimits, extract_pdf

FRAME = struct.Struct(">Q")  # the length of the frame that follows
MEMORY_BYTES = 4 * 2**30  # the child's address space; the bundled corpus reads in < 200 MB
START_SECONDS = 60.0  # for the child to import pypdf and say it is ready (~0.3 s); not counted per page


class _Timeout(Exception):
    pass


class _Ended(Exception):
    pass


class _StartFailed(Exception):
    pass


def _send(out: BinaryIO, payload: bytes) -> None:
    out.write(FRAME.pack(len(payload)))
    out.write(payload)
    out.flush()


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def _recv(stream: BinaryIO) -> bytes | None:
    """One frame from a blocking stream (the child's stdin); None at its end."""
    head = _read_exact(stream, FRAME.size)
    return None if head is None else _read_exact(stream, FRAME.unpack(head)[0])


# the child ---------------------------------------------------------------------------------
def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass


def _reply(name: str, data: bytes, limits: ReadLimits, out: BinaryIO) -> dict:
    def heartbeat(number: int) -> None:
        _send(out, json.dumps({"page": number}).encode())

    try:
        found = extract_pdf(name, data, limits, heartbeat)
        return {"pages": found.pages, "meta": found.meta, "notes": found.notes}
    except DocumentError as exc:
        return {"error": exc.reason}
    except MemoryError:
        return {"error": f"reading it needs more than {MEMORY_BYTES // 2**30} GB of memory; not read"}
    except Exception as exc:  # a bug met on an odd file: the parent reports it and goes on
        return {"unexpected": f"{exc.__class__.__name__}: {' '.join(str(exc).split())}"}


def serve(requests: BinaryIO, out: BinaryIO) -> None:
    """The child's loop: a request frame (JSON: name, limits) and a data frame in, page frames and a
    reply frame out, until its input ends."""
    _limit_memory()
    _send(out, b'{"ready": true}')
    while (head := _recv(requests)) is not None:
        data = _recv(requests)
        if data is None:
            return
        request = json.loads(head)
        limits = ReadLimits(**request["limits"])
        # a guard of its own, should the parent be gone and stop watching: SIGALRM ends the process
        signal.alarm(int(limits.document_seconds) + 30)
        reply = _reply(request["name"], data, limits, out)
        signal.alarm(0)
        _send(out, json.dumps(reply, ensure_ascii=False).encode())


# the parent --------------------------------------------------------------------------------
class PdfWorker:
    """A child process that extracts PDFs; `extract` is safe to call from several threads (one at a time)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._buffer = b""
        self._lock = threading.Lock()

    def extract(self, name: str, data: bytes, limits: ReadLimits = ReadLimits()) -> Extracted:
        """The PDF's extracted text, within the limits. Raises DocumentError (timeouts included)."""
        with self._lock:
            try:
                process = self._start()
                started = time.monotonic()
                _send(process.stdin, json.dumps({"name": name, "limits": asdict(limits)}).encode())
                _send(process.stdin, data)
                last, pages = started, 0
                while True:
                    deadline = min(last + limits.page_seconds, started + limits.document_seconds)
                    message = json.loads(self._frame(process, deadline))
                    if "page" in message:
                        last, pages = time.monotonic(), message["page"]
                        continue
                    return _outcome(name, message)
            except _Timeout:
                self.close()
                waited = time.monotonic() - started
                which = (f"{limits.document_seconds:g} s per document" if waited >= limits.document_seconds
                         else f"{limits.page_seconds:g} s per page")
                raise DocumentError(name, f"reading stopped after {waited:.0f} s on p. {pages + 1} (the time "
                                          f"limit is {which}); not indexed") from None
            except _StartFailed:
                self.close()
                raise DocumentError(name, "the PDF reader process did not start; not indexed") from None
            except (_Ended, BrokenPipeError, OSError, ValueError) as exc:
                status = process.poll()
                self.close()
                raise DocumentError(name, f"the PDF reader process ended while reading it (exit status {status}, "
                                          f"{exc.__class__.__name__}); not indexed") from None

    def _start(self) -> subprocess.Popen:
        """The running child, or a new one once it says it is ready (its start is not read time)."""
        if self._process is None or self._process.poll() is not None:
            self.close()
            self._buffer = b""
            try:
                self._process = subprocess.Popen([sys.executable, "-m", "beleidsbron.ingest.pdf_worker"],
                                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                 stderr=subprocess.DEVNULL)
                if json.loads(self._frame(self._process, time.monotonic() + START_SECONDS)) != {"ready": True}:
                    raise _StartFailed
            except (_Timeout, _Ended, ValueError, OSError):
                raise _StartFailed from None
        return self._process

    def _frame(self, process: subprocess.Popen, deadline: float) -> bytes:
        """One frame from the child, or _Timeout at the deadline, or _Ended if it is gone."""
        fd = process.stdout.fileno()
        while True:
            if len(self._buffer) >= FRAME.size:
                size = FRAME.unpack(self._buffer[:FRAME.size])[0]
                if len(self._buffer) >= FRAME.size + size:
                    frame = self._buffer[FRAME.size:FRAME.size + size]
                    self._buffer = self._buffer[FRAME.size + size:]
                    return frame
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise _Timeout
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise _Ended
            self._buffer += chunk

    def close(self) -> None:
        """Stop the child (a hung one is killed)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass


def _outcome(name: str, message: dict) -> Extracted:
    if "error" in message:
        raise DocumentError(name, message["error"])
    if "unexpected" in message:
        raise DocumentError(name, f"unexpected error while reading it ({message['unexpected']}); please report")
    return Extracted(pages=message["pages"], meta=message["meta"], notes=message["notes"])


_shared: PdfWorker | None = None
_shared_lock = threading.Lock()


def shared_worker() -> PdfWorker:
    """The process's PDF worker, started on first use and stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = PdfWorker()
            atexit.register(_shared.close)
        return _shared


if __name__ == "__main__":
    # stdout carries frames only: anything printed by a library goes to stderr
    frames = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, frames)
