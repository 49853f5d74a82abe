"""The one place where the server reaches out to user-given URLs.

``audio_url`` downloads and webhook deliveries both go through here, so that every outbound
request gets the same treatment (design.md section 7): only http(s), no private, loopback,
link-local or otherwise non-public addresses unless explicitly allowed, redirects followed by
hand with the same check on every hop, and caps on size and wall time.

Known limit: the address check resolves the host itself and httpx resolves it again when it
connects, so a DNS server that answers differently the second time (DNS rebinding) is not stopped.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

MAX_REDIRECTS = 5
USER_AGENT = "stenograph/0.1"
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundError(Exception):
    """An outbound request failed or was refused; the message is meant for the end user."""


def _is_forbidden(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _is_forbidden(ip.ipv4_mapped)
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global  # e.g. 100.64.0.0/10 (shared address space)
    )


def _resolve(host: str, port: int) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # IPv6 link-local answers may carry a zone ("fe80::1%eth0"); ipaddress wants it stripped.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def check_url_allowed(url: str, allow_private: bool, *, action: str = "Download of") -> None:
    """Raise OutboundError unless ``url`` is http(s) and its host resolves only to public addresses.

    ``action`` starts the message ("Download of <url> refused: ...").
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundError(f"{action} {url} refused: invalid URL ({exc})") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise OutboundError(f"{action} {url} refused: only http and https URLs are supported")
    host = parts.hostname
    if not host:
        raise OutboundError(f"{action} {url} refused: the URL has no host")
    if allow_private:
        return
    try:
        addresses = _resolve(host, port or (443 if parts.scheme.lower() == "https" else 80))
    except (OSError, UnicodeError, ValueError) as exc:
        raise OutboundError(f"{action} {url} refused: could not resolve host {host}") from exc
    if not addresses:
        raise OutboundError(f"{action} {url} refused: could not resolve host {host}")
    bad = [ip for ip in addresses if _is_forbidden(ip)]
    if bad:
        raise OutboundError(
            f"{action} {url} refused: it resolves to a private, loopback or link-local address "
            f"({', '.join(sorted({str(ip) for ip in bad}))})"
        )


def _status_text(code: int) -> str:
    try:
        return f"{code} ({HTTPStatus(code).phrase})"
    except ValueError:
        return str(code)


def download_to_file(
    url: str, dest: Path, *, max_bytes: int, timeout_seconds: float, allow_private: bool
) -> int:
    """Download ``url`` into ``dest`` and return the number of bytes written.

    Any failure raises OutboundError and leaves no file at ``dest``.
    """
    deadline = time.monotonic() + timeout_seconds
    return _download(url, dest, max_bytes, deadline, timeout_seconds, allow_private)


def _remaining(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise OutboundError(f"Download error, unable to download {url}: timed out")
    return left


def _download(
    url: str, dest: Path, max_bytes: int, deadline: float, timeout_seconds: float, allow_private: bool
) -> int:
    current = url
    too_big = (
        f"Download error, unable to download {url}: the file is larger than the limit of {max_bytes} bytes"
    )
    with httpx.Client(follow_redirects=False, headers={"User-Agent": USER_AGENT}) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            check_url_allowed(current, allow_private)
            timeout = httpx.Timeout(min(timeout_seconds, _remaining(deadline, url)))
            try:
                with client.stream("GET", current, timeout=timeout) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECT_CODES and location:
                        current = urljoin(current, location)
                        continue
                    if not response.is_success:
                        raise OutboundError(
                            f"Download error, unable to download {url}. "
                            f"Status code {_status_text(response.status_code)}."
                        )
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise OutboundError(too_big)
                    written = 0
                    try:
                        with dest.open("wb") as fh:
                            # No chunk_size: yield each network read, so the deadline is checked often.
                            for chunk in response.iter_bytes():
                                written += len(chunk)
                                if written > max_bytes:
                                    raise OutboundError(too_big)
                                _remaining(deadline, url)
                                fh.write(chunk)
                    except BaseException:
                        dest.unlink(missing_ok=True)
                        raise
                    return written
            except httpx.TimeoutException as exc:
                raise OutboundError(f"Download error, unable to download {url}: timed out") from exc
            except httpx.HTTPError as exc:
                raise OutboundError(
                    f"Download error, unable to download {url}: {str(exc) or type(exc).__name__}"
                ) from exc
    raise OutboundError(f"Download error, unable to download {url}: more than {MAX_REDIRECTS} redirects")


def post_json(
    url: str,
    payload: Any,
    headers: Mapping[str, str] | None = None,
    *,
    timeout_seconds: float,
    allow_private: bool,
) -> int:
    """POST ``payload`` as JSON to ``url`` (redirects not followed) and return the status code."""
    check_url_allowed(url, allow_private, action="Request to")
    all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    try:
        with httpx.Client(follow_redirects=False, timeout=timeout_seconds) as client:
            return client.post(url, json=payload, headers=all_headers).status_code
    except httpx.TimeoutException as exc:
        raise OutboundError(f"Request to {url} failed: timed out") from exc
    except httpx.HTTPError as exc:
        raise OutboundError(f"Request to {url} failed: {str(exc) or type(exc).__name__}") from exc
