"""Sending a content file under the file policy of portal/filetypes.py: opened below the folder
it was published from (never through a link), with the policy's type, disposition and security
headers, conditional and ranged."""

import os
import stat
from pathlib import Path
from typing import BinaryIO

from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from portal.filetypes import file_headers


def open_inside(root: Path, path: Path) -> BinaryIO:
    """Open a file under root for reading, refusing a path that leaves root or passes through a
    symbolic link on the way (FileNotFoundError): root itself may be one, nothing below it."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        raise FileNotFoundError(path) from None
    if not relative.parts or any(part in ("", ".", "..") for part in relative.parts):
        raise FileNotFoundError(path)
    current = root.resolve()
    for part in relative.parts[:-1]:
        current = current / part
        if current.is_symlink() or not current.is_dir():
            raise FileNotFoundError(path)
    try:
        descriptor = os.open(current / relative.parts[-1], os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:  # ELOOP: the file itself is a link
        raise FileNotFoundError(path) from error
    file = os.fdopen(descriptor, "rb")
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        file.close()
        raise FileNotFoundError(path)
    return file


def send_file(environ: dict, root: Path, path: Path, name: str, max_age: int) -> Response:
    """A response sending the file at path (under root) as name, under the policy: conditional
    and ranged (videos seek), with the policy's type, disposition and security headers."""
    file = open_inside(root, path)
    info = os.fstat(file.fileno())
    response = Response(wrap_file(environ, file), direct_passthrough=True)
    response.headers.update(file_headers(name))
    response.content_length = info.st_size
    response.last_modified = info.st_mtime
    response.set_etag(f"{info.st_mtime_ns:x}-{info.st_size:x}-{info.st_ino:x}")
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response.make_conditional(environ, accept_ranges=True, complete_length=info.st_size)


def send_data(environ: dict, body: str | bytes, name: str, max_age: int) -> Response:
    """A response sending generated data (a report's tables, the dataset) as the file name."""
    response = Response(body)
    response.headers.update(file_headers(name))
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.add_etag()
    return response.make_conditional(environ)
