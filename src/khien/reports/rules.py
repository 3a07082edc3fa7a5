"""The tunables of report intake and answers, read from :mod:`khien.settings`, and the 429 error.

Kept in one frozen record so services take ``rules=`` (tests pass their own) instead of reading
the environment on every call.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import KhienError
from ..settings import Settings, setting_value

__all__ = ["ReportRules", "ReporterLimited", "FLAGGER_WEIGHT", "MAX_STATEMENT", "MAX_EVIDENCE", "MAX_URL",
           "MAX_ID"]

FLAGGER_WEIGHT = 3.0  # a trusted flagger's report weighs 3× a user's with the same track record
MAX_STATEMENT = 2000  # characters of a report's statement
MAX_EVIDENCE = 10  # evidence links a report may carry
MAX_URL = 2000  # characters of one evidence link
MAX_ID = 300  # characters of a reporter, item or account id (the columns' size)


@dataclass(frozen=True, slots=True)
class ReportRules:
    max_batch: int = 1000
    limit_answered: int = 5  # answered reports before the rejection limit can apply
    limit_share: float = 0.8  # ... and the share of them rejected that limits the reporter
    limit_hours: float = 168.0
    contest_days: float = 14.0
    rebuild_reports: int = 200_000  # stored reports replayed into the ring detector at start

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "ReportRules":
        """From resolved settings, or (None) from each setting alone (environment, else default)."""
        get = (lambda name: getattr(settings, name)) if settings is not None else setting_value
        return cls(max_batch=get("max_batch_reports"), limit_answered=get("reporter_limit_answered"),
                   limit_share=get("reporter_limit_share"), limit_hours=get("reporter_limit_hours"),
                   contest_days=get("report_contest_days"), rebuild_reports=get("ring_rebuild_reports"))


class ReporterLimited(KhienError):
    """A reporter whose reports were repeatedly rejected sends another before their limit ends (429)."""

    code = "khien.reports.limited"
    status = 429

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, field=field, hint=hint)
        self.retry_after = retry_after
