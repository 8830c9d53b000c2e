"""What hostile attachments cost the extractor: a DOCX zip bomb (2 GB of zeros, 1.9 MB packed),
a PDF of 10,000 pages and a PDF whose one page decompresses to 1.5 GB, each read through
portal.extraction's bounded child process (the bounds of ATTACHMENT_LIMITS). Prints each one's
wall time, CPU time and the child's peak resident memory, and what the extractor said.

Local and bounded: the files are written once into a work folder (never the repository).

    .venv/bin/python benchmarks/extraction_bench.py [/tmp/extraction-bench]
"""

from __future__ import annotations

import io
import resource
import sys
import time
import zipfile
import zlib
from pathlib import Path

from portal.extraction import ATTACHMENT_LIMITS, extract_bounded


def zip_bomb_docx(size: int = 2_000_000_000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 22)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def pdf(streams: list[bytes], flate: bool = False) -> bytes:
    """A PDF of one page per content stream, written by hand."""
    objects = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", b""]
    kids = []
    for stream in streams:
        extra = b" /Filter /FlateDecode" if flate else b""
        objects.append(b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(stream), extra, stream))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 1 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(len(objects))
    kids_list = b" ".join(b"%d 0 R" % kid for kid in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids_list, len(kids))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, len(objects), xref)
    )
    return out.getvalue()


def flate_bomb(size: int = 1_500_000_000) -> bytes:
    compressor = zlib.compressobj(9)
    chunk = b" " * (1 << 22)
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join(parts) + compressor.flush()


FILES = {
    "bomb.docx": ("docx", zip_bomb_docx),
    "many-pages.pdf": (
        "pdf",
        lambda: pdf([b"BT /F1 12 Tf 72 712 Td (page %d) Tj ET" % n for n in range(10_000)]),
    ),
    "flate-bomb.pdf": ("pdf", lambda: pdf([flate_bomb()], flate=True)),
}


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/extraction-bench")
    folder.mkdir(parents=True, exist_ok=True)
    for name, (kind, make) in FILES.items():
        path = folder / name
        if not path.exists():
            path.write_bytes(make())
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        result = extract_bounded(path, kind, ATTACHMENT_LIMITS)
        wall = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        said = result.get("error") or result.get("truncated") or "read whole"
        print(
            f"{name} ({path.stat().st_size:,} bytes): {wall:.1f} s wall, {cpu:.1f} s CPU, "
            f"child peak RSS so far {after.ru_maxrss // 1024} MB: {said}"
        )


if __name__ == "__main__":
    main()
