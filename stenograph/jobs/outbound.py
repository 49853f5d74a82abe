"""The one place where the server reaches out to user-given URLs.

``audio_url`` downloads and webhook deliveries both go through here, so that every outbound
request gets the same treatment (design.md section 7): only http(s), no private, loopback,
link-local or otherwise non-public addresses (nor IPv6 forms that carry one: 6to4, NAT64, Teredo)
unless explicitly allowed, redirects followed by hand with the same check on every hop, and caps on
size and wall time.

The host is resolved once, and the connection goes to the address that was checked (the URL's host
is kept in the Host header and, for https, in SNI and certificate checks), so a DNS server that
answers differently the second time (DNS rebinding) cannot steer a request inside.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

MAX_REDIRECTS = 5
USER_AGENT = "stenograph/0.1"
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")  # a NAT64 gateway routes to the last 32 bits
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: a network's own translators
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated; never a public destination


class OutboundError(Exception):
    """An outbound request failed or was refused; the message is meant for the end user."""


def _is_forbidden(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL_USE or ip in _IPV4_COMPATIBLE:
            return True
        if ip.ipv4_mapped is not None:  # the connection goes to the IPv4 address itself
            return _is_forbidden(ip.ipv4_mapped)
        if ip in _NAT64_WELL_KNOWN:  # a gateway's stand-in for the IPv4 address in its last 32 bits
            return _is_forbidden(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(_is_forbidden(v4) for v4 in _embedded_ipv4(ip)):
            return True
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global  # e.g. 100.64.0.0/10 (shared address space)
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses that an IPv6 address carries and a 6to4 or Teredo relay may route to."""
    found = [ip.sixtofour] if ip.sixtofour is not None else []
    if ip.teredo is not None:
        found.extend(ip.teredo)  # (server, client)
    return found


def _resolve(host: str, port: int) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # IPv6 link-local answers may carry a zone ("fe80::1%eth0"); ipaddress wants it stripped.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


@dataclass(frozen=True)
class Target:
    """Where to send a request for a checked URL: ``url`` with its host replaced by the checked
    address, and what keeps the original host visible to the server (Host header, TLS name)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


def check_url_allowed(url: str, allow_private: bool, *, action: str = "Download of") -> Target:
    """Raise OutboundError unless ``url`` is http(s) and its host resolves only to public addresses;
    return the request target pinned to the first address checked (the URL itself with
    ``allow_private``).

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
        return Target(url)
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
    return _pinned(url, addresses[0])


def _pinned(url: str, address: IPAddress) -> Target:
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port is not None else literal
    host_header = parts.netloc.rpartition("@")[2]  # no userinfo in a Host header
    extensions = {"sni_hostname": host} if parts.scheme.lower() == "https" else {}
    return Target(parts._replace(netloc=netloc).geturl(), {"Host": host_header}, extensions)


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
            target = check_url_allowed(current, allow_private)
            timeout = httpx.Timeout(min(timeout_seconds, _remaining(deadline, url)))
            try:
                with client.stream(
                    "GET", target.url, headers=target.headers, extensions=target.extensions, timeout=timeout
                ) as response:
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
    target = check_url_allowed(url, allow_private, action="Request to")
    all_headers = {"User-Agent": USER_AGENT, **(headers or {}), **target.headers}
    try:
        with httpx.Client(follow_redirects=False, timeout=timeout_seconds) as client:
            return client.post(
                target.url, json=payload, headers=all_headers, extensions=target.extensions
            ).status_code
    except httpx.TimeoutException as exc:
        raise OutboundError(f"Request to {url} failed: timed out") from exc
    except httpx.HTTPError as exc:
        raise OutboundError(f"Request to {url} failed: {str(exc) or type(exc).__name__}") from exc
