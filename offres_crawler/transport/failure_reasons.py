"""Short, stable names for download errors, used in retry stats and the run's error list."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from twisted.internet import error as tx_error
from twisted.internet.defer import TimeoutError as TxDeferTimeoutError
from twisted.web._newclient import (
    RequestNotSent,
    RequestTransmissionFailed,
    ResponseFailed,
    ResponseNeverReceived,
)

# Checked in order; the first match names the error. Everything listed is worth a retry.
_REASONS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, tx_error.TimeoutError, TxDeferTimeoutError, TimeoutError), "timeout"),
    ((ResponseDataLossError,), "dataloss"),
    ((DownloadConnectionRefusedError, tx_error.ConnectionRefusedError, ConnectionRefusedError),
     "connection_refused"),
    ((CannotResolveHostError, tx_error.DNSLookupError), "dns_lookup"),
    # A reset or a close before the whole answer arrived, however Twisted reports it.
    ((DownloadFailedError, ResponseFailed, ResponseNeverReceived, RequestNotSent,
      RequestTransmissionFailed, tx_error.ConnectionLost, tx_error.ConnectionDone,
      tx_error.ConnectError, ConnectionError), "connection_lost"),
    ((OSError,), "os_error"),
)


def exception_reason(exc: BaseException) -> str | None:
    """The retry reason for a download error, or None when it must not be retried."""
    for classes, reason in _REASONS:
        if isinstance(exc, classes):
            return reason
    return None
