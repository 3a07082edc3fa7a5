"""The tables. Core (not ORM) tables: the service writes in batches and reads few columns.

Conventions: ``platform`` is ``''`` when an item names none, so ``(platform, item_id)`` is a real
key on every database (NULLs never collide in a unique index). Times are stored twice where the
queue orders by them: an ISO text for people and an epoch float for arithmetic in SQL.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

__all__ = [
    "metadata",
    "api_keys",
    "items",
    "item_versions",
    "decisions",
    "cases",
    "appeals",
    "flaggers",
    "reporters",
    "reports",
    "accounts",
    "strikes",
    "campaigns",
    "campaign_members",
    "legal_requests",
    "audit_events",
    "audit_head",
    "webhooks",
    "webhook_deliveries",
    "webhook_dead_letters",
    "fact_checks",
    "claim_publishers",
    "claim_verdicts",
    "claim_embeddings",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("name_key", String(200), nullable=False),  # case-folded NFKC of name (khien.access.names)
    Column("role", String(20), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)
# One live key per name (compared case-insensitively); a revoked key's name may be given to its successor.
Index("uq_api_keys_live_name", api_keys.c.name_key, unique=True,
      sqlite_where=api_keys.c.revoked_at.is_(None), postgresql_where=api_keys.c.revoked_at.is_(None))

items = Table(
    "items",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("platform", String(100), nullable=False),
    Column("item_id", String(300), nullable=False),
    Column("body", Text, nullable=False),  # the item JSON as received (normalised by Item.to_dict)
    Column("status", String(10), nullable=False),  # ItemStatus: pending | decided | failed
    Column("reach", BigInteger, nullable=False, default=0),
    Column("received_at", String(40), nullable=False),
    # Why the worker could not decide the item (status failed), and how many times that happened:
    # a failed item waits for an admin's retry instead of being retried for ever.
    Column("error", Text),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    # A worker's lease on a pending item (who, and until when in epoch seconds): other workers skip
    # it until it expires, so a killed worker's items come back after ``worker_lease_s``.
    Column("lease_owner", String(100)),
    Column("lease_until", Float),
    # The current version (1 for an item never edited) and its content hash: an item sent again
    # with the same hash is a replay, with another one a new version (khien.review.versions).
    Column("version", Integer, nullable=False, default=1, server_default="1"),
    Column("content_hash", String(64), nullable=False),
    UniqueConstraint("platform", "item_id", name="uq_items_platform_item"),
)
Index("ix_items_pending", items.c.status, items.c.pk)

# Every version of every item, the current one included, kept for ever: a decision or a case names
# the version it judged, so the text it judged can always be shown. ``body`` and ``received_at``
# are as in ``items``; ``content_hash`` is sha256 of the canonical item JSON without its reach.
item_versions = Table(
    "item_versions",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("platform", String(100), nullable=False),
    Column("item_id", String(300), nullable=False),
    Column("version", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("received_at", String(40), nullable=False),
    UniqueConstraint("platform", "item_id", "version", name="uq_item_versions_once"),
)

# One row per decision ever made on an item. The engine decides each version of an item once per
# policy version: (platform, item_id, item_version, policy, source, source_ref) is unique and
# source_ref is '' for the engine, so a worker that re-runs a batch after a crash cannot add a
# second automated decision. ``item_version`` is the version whose text was decided.
decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(100), nullable=False),
    Column("item_id", String(300), nullable=False),
    Column("item_version", Integer, nullable=False, default=1, server_default="1"),
    # item | account: an account decision (warn, restrict, suspend, ban) names the account's author
    # id in ``item_id`` and version 0; item queries read only subject_kind 'item'.
    Column("subject_kind", String(10), nullable=False, default="item", server_default="item"),
    Column("policy", String(64), nullable=False),
    Column("source", String(10), nullable=False),  # engine | case | appeal
    Column("source_ref", String(40), nullable=False, default=""),
    Column("action", String(10), nullable=False),
    Column("category", String(40)),
    Column("automated", Boolean, nullable=False),
    Column("actor", String(200)),
    Column("actor_id", String(60)),  # the stable id of ``actor`` (``user:3``, ``key:7``): the appeal rule compares it
    Column("body", Text, nullable=False),  # Decision.to_dict(dsa=True)
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("subject_kind", "platform", "item_id", "item_version", "policy", "source", "source_ref",
                     name="uq_decisions_once"),
)
Index("ix_decisions_item", decisions.c.platform, decisions.c.item_id, decisions.c.id)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(100), nullable=False),
    Column("item_id", String(300), nullable=False),
    # The version of the item the case judges; one case per (item, version, origin), so an edit
    # may open a second engine case while the first stays on the text it was opened for.
    Column("item_version", Integer, nullable=False, default=1, server_default="1"),
    # item | account; an account case names the author id in ``item_id`` and version 0
    Column("subject_kind", String(10), nullable=False, default="item", server_default="item"),
    # 'engine:<policy>' | 'legal:<id>' | 'reports:<first report id>' | 'account:<how>'
    Column("origin", String(60), nullable=False),
    Column("category", String(40)),
    Column("proposed_action", String(10)),
    Column("decision_id", Integer, ForeignKey("decisions.id")),  # the decision under review
    Column("legal_request_id", Integer, ForeignKey("legal_requests.id")),
    Column("severity", Integer, nullable=False),
    Column("reach", BigInteger, nullable=False),
    Column("priority_base", Float, nullable=False),  # severity × log(reach); age is added at read time
    Column("state", String(10), nullable=False),  # CaseState: open | decided
    Column("created_at", String(40), nullable=False),
    Column("created_ts", Float, nullable=False),
    Column("claimed_by", String(200)),
    Column("claim_expires_ts", Float),
    Column("decided_by", String(200)),
    Column("decided_at", String(40)),
    Column("outcome_decision_id", Integer, ForeignKey("decisions.id")),
    # distinct reporters whose reports are grouped here (suspicious ones not counted)
    Column("reporters", Integer, nullable=False, default=0, server_default="0"),
    UniqueConstraint("subject_kind", "platform", "item_id", "item_version", "origin", name="uq_cases_once"),
)
Index("ix_cases_state", cases.c.state, cases.c.priority_base)
# At most one open report case per subject, also when two requests on PostgreSQL group reports on the
# same subject at once (each would otherwise open its own): the second insert is skipped and that
# request joins the case the first opened (khien.reports.intake).
_OPEN_REPORT_CASE = text("state = 'open' AND origin LIKE 'reports:%'")
Index("uq_cases_open_report", cases.c.subject_kind, cases.c.platform, cases.c.item_id, unique=True,
      sqlite_where=_OPEN_REPORT_CASE, postgresql_where=_OPEN_REPORT_CASE)

appeals = Table(
    "appeals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(100), nullable=False),
    Column("item_id", String(300), nullable=False),
    Column("statement", Text, nullable=False),
    Column("submitted_by", String(200), nullable=False),
    Column("state", String(10), nullable=False),  # open | decided
    Column("original_decision_id", Integer, ForeignKey("decisions.id"), nullable=False),
    Column("original_decider", String(200)),  # None when the engine decided
    Column("created_at", String(40), nullable=False),
    Column("outcome", String(10)),  # upheld | reversed
    Column("decided_by", String(200)),
    Column("note", Text),
    Column("decided_at", String(40)),
    Column("outcome_decision_id", Integer, ForeignKey("decisions.id")),
    # author (of what was decided) | reporter (contesting a decision not to act on their report)
    Column("appellant", String(10), nullable=False, default="author", server_default="author"),
    Column("report_id", Integer, ForeignKey("reports.id")),
)
Index("ix_appeals_item", appeals.c.platform, appeals.c.item_id)

# Trusted flaggers: organisations whose notices go first and are answered within ``respond_hours``
# (DSA Art. 22). Removing one keeps its row (its past reports still name it).
flaggers = Table(
    "flaggers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("name_key", String(100), nullable=False),  # normalised for uniqueness (khien.access.names)
    Column("organisation", String(300), nullable=False),
    Column("contact", String(300)),
    Column("respond_hours", Integer, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("removed_at", String(40)),
)
Index("uq_flaggers_live_name", flaggers.c.name_key, unique=True,
      sqlite_where=flaggers.c.removed_at.is_(None), postgresql_where=flaggers.c.removed_at.is_(None))

# A reporter's track record on one platform: the share of their reports that were upheld sets the
# weight of their next ones; ``limited_until`` is set when too many were rejected (DSA Art. 23).
# ``account_created_ts``: when the reporter's account was created, as the last report that said so
# gave it (None when none did); the mass-report detector's "new account" signal, kept so a detector
# rebuilt after a restart judges the stored reports as the live one did.
reporters = Table(
    "reporters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(100), nullable=False),
    Column("reporter_id", String(300), nullable=False),
    Column("first_ts", Float, nullable=False),
    Column("reports", Integer, nullable=False, default=0),
    Column("upheld", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("suspicious", Integer, nullable=False, default=0),
    Column("limited_until", Float),
    Column("account_created_ts", Float),
    UniqueConstraint("platform", "reporter_id", name="uq_reporters_once"),
)

# One row per report. A report is about an item (``subject_kind`` item, ``subject_id`` its id,
# ``item_version`` the version in force when reported) or an account (the author id). Reports on one
# subject are grouped into one open case (``case_id``); ``suspicious`` marks a report the mass-
# reporting detector placed in a ring (``ring``): it is kept and counted, but raises no priority.
reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(100), nullable=False),
    Column("source", String(10), nullable=False),  # ReportSource: user | flagger
    Column("reporter_id", String(300)),  # the platform user id (source user)
    Column("flagger_id", Integer, ForeignKey("flaggers.id")),  # source flagger
    Column("subject_kind", String(10), nullable=False),  # SubjectKind: item | account
    Column("subject_id", String(300), nullable=False),
    Column("item_version", Integer),
    Column("category", String(40), nullable=False),
    Column("statement", Text, nullable=False),
    Column("evidence", Text, nullable=False),  # JSON list of URLs
    Column("created_at", String(40), nullable=False),
    Column("created_ts", Float, nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id")),
    Column("state", String(10), nullable=False),  # ReportState: open | upheld | rejected
    Column("suspicious", Boolean, nullable=False, default=False),
    Column("ring", String(100)),
    Column("answered_at", String(40)),
    Column("answered_ts", Float),
    Column("outcome_decision_id", Integer, ForeignKey("decisions.id")),
    Column("reasons", Text),  # JSON {vi, en}: the notice the reporter gets
)
Index("ix_reports_subject", reports.c.platform, reports.c.subject_kind, reports.c.subject_id, reports.c.id)
Index("ix_reports_reporter", reports.c.platform, reports.c.reporter_id, reports.c.id)
Index("ix_reports_case", reports.c.case_id)

# An account per (platform, author id), created when an item, report or scan first names it. Its
# status is the account action in force (``status_until`` None: until lifted); it has a history on
# its platform only: decisions, strikes, reports, appeals.
accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(100), nullable=False),
    Column("author_id", String(300), nullable=False),
    Column("name", String(300)),
    Column("followers", BigInteger, nullable=False, default=0),
    Column("verified", Boolean, nullable=False, default=False),
    Column("first_seen", String(40), nullable=False),
    Column("status", String(10), nullable=False, default="active"),  # AccountStatus
    Column("status_until", Float),
    Column("status_decision_id", Integer, ForeignKey("decisions.id")),
    Column("last_action_ts", Float),
    UniqueConstraint("platform", "author_id", name="uq_accounts_once"),
)

# A strike: one upheld violation counted against an account (khien.policy.accounts). A strike
# removed on appeal keeps its row, with who removed it and why.
strikes = Table(
    "strikes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("category", String(40), nullable=False),
    Column("weight", Float, nullable=False),
    Column("item_id", String(300), nullable=False),
    Column("item_version", Integer, nullable=False),
    Column("decision_id", Integer, ForeignKey("decisions.id")),
    Column("created_at", String(40), nullable=False),
    Column("created_ts", Float, nullable=False),
    Column("removed_at", String(40)),
    Column("removed_by", String(200)),
    Column("removal_reason", Text),
    UniqueConstraint("account_id", "decision_id", name="uq_strikes_once"),
)
Index("ix_strikes_account", strikes.c.account_id, strikes.c.created_ts)

# A cluster of coordinated posts the campaign detector found (khien.campaigns), by its stable key
# (``cmp-<12 hex>``, derived from its first member) on one platform. The lists (accounts, signals,
# shared entities, timeline) are JSON text; times are epoch seconds. A cluster with
# ``campaign`` true has one campaign case (``cases.subject_kind`` 'campaign', ``item_id`` the key).
campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(100), nullable=False),
    Column("key", String(40), nullable=False),
    Column("campaign", Boolean, nullable=False, default=False),
    Column("first_seen", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Column("size", Integer, nullable=False),
    Column("accounts", Text, nullable=False),  # JSON list of account ids
    Column("signals", Text, nullable=False),  # JSON list of signal names
    Column("shared_entities", Text, nullable=False),  # JSON list
    Column("timeline", Text, nullable=False),  # JSON list of [slot start, posts]
    Column("score", Float, nullable=False),
    Column("sample", Text, nullable=False),
    Column("confirmed_scam", Boolean, nullable=False, default=False),
    Column("updated_at", String(40), nullable=False),
    UniqueConstraint("platform", "key", name="uq_campaigns_once"),
)

# The member items a cluster listed (a cluster lists at most ``max_members``; ``size`` counts all).
# ``account`` and ``ts`` come from the stored item when there is one (None otherwise).
campaign_members = Table(
    "campaign_members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(100), nullable=False),
    Column("key", String(40), nullable=False),
    Column("item_id", String(300), nullable=False),
    Column("account", String(300)),
    Column("ts", Float),
    UniqueConstraint("platform", "key", "item_id", name="uq_campaign_members_once"),
)
Index("ix_campaign_members_item", campaign_members.c.platform, campaign_members.c.item_id)

legal_requests = Table(
    "legal_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("authority", String(300), nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("requested_action", String(10), nullable=False),
    Column("deadline", String(40), nullable=False),
    Column("items", Text, nullable=False),  # JSON list of {platform, id}
    Column("reference", String(200)),
    Column("created_by", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("status", String(10), nullable=False),  # open | completed
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("time", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("type", String(60), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("payload", Text, nullable=False),  # canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# A single row: the last sequence number and hash. Appending updates it first, which serialises
# appenders (a row lock on PostgreSQL, the write lock on SQLite) and lets verify notice a deleted tail.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("events", String(200), nullable=False),  # comma-separated: decision,appeal
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(40), nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("webhook_id", Integer, ForeignKey("webhooks.id"), nullable=False),
    Column("event", String(40), nullable=False),
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_ts", Float, nullable=False),
    Column("last_error", Text),
    Column("state", String(10), nullable=False),  # pending | delivered
    Column("created_at", String(40), nullable=False),
    Column("delivered_at", String(40)),
)
Index("ix_webhook_deliveries_due", webhook_deliveries.c.state, webhook_deliveries.c.next_attempt_ts)

webhook_dead_letters = Table(
    "webhook_dead_letters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("delivery_id", Integer, nullable=False),
    Column("webhook_id", Integer, ForeignKey("webhooks.id"), nullable=False),
    Column("event", String(40), nullable=False),
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("died_at", String(40), nullable=False),
    Column("replayed_at", String(40)),
)

# Published fact-checks (issue 15), imported from ClaimReview. ``id`` is the fact-check's stable id
# (khien.claims.records.fact_check_id), so a re-import updates the row. Retiring keeps the row (a
# decision that linked it still names it) and takes it out of matching.
fact_checks = Table(
    "fact_checks",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("claim", Text, nullable=False),
    Column("rating_text", String(200), nullable=False),
    Column("rating", String(20), nullable=False),  # khien.claims.records.Rating
    Column("rating_value", Float),
    Column("best_rating", Float),
    Column("worst_rating", Float),
    Column("publisher", String(300), nullable=False),
    Column("publisher_key", String(300), nullable=False),  # khien.claims.records.publisher_key
    Column("publisher_url", Text),
    Column("url", Text, nullable=False),
    Column("title", Text),
    Column("review_date", String(40)),
    Column("language", String(20), nullable=False),
    Column("topic", String(20), nullable=False),  # khien.claims.records.Topic
    Column("claimant", String(300)),
    Column("claim_date", String(40)),
    Column("appearances", Text, nullable=False, default="[]", server_default="[]"),  # JSON list of URLs
    Column("imported_by", String(200), nullable=False),
    Column("imported_at", String(40), nullable=False),
    Column("retired_at", String(40)),
    Column("retired_by", String(200)),
)
Index("ix_fact_checks_publisher", fact_checks.c.publisher_key)

# The publishers a platform trusts: only their live fact-checks are matched. A table, not a
# setting: trusting a publisher is a moderation decision taken at run time by an admin, recorded in
# the audit log (who, when), and later managed from the console and the API.
claim_publishers = Table(
    "claim_publishers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("name_key", String(300), nullable=False),
    Column("url", Text),
    Column("trusted_by", String(200), nullable=False),
    Column("trusted_at", String(40), nullable=False),
    UniqueConstraint("name_key", name="uq_claim_publishers_name_key"),
)

# A moderator's verdict on one candidate fact-check of a case (issue 15): confirmed (the post does
# repeat that claim) or rejected. One row per (case, fact-check); a later verdict replaces it (the
# audit log keeps every one). Exported as evaluation data (`khien claims verdicts --json`).
claim_verdicts = Table(
    "claim_verdicts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, nullable=False),
    Column("item_id", String(300), nullable=False),
    Column("factcheck_id", String(100), nullable=False),
    Column("verdict", String(20), nullable=False),  # confirmed | rejected
    Column("tier", String(20)),  # the tier the engine gave the candidate
    Column("score", Float),
    Column("text", Text, nullable=False),  # the post's text as judged: the evaluation example
    Column("actor", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("case_id", "factcheck_id", name="uq_claim_verdicts_case_id"),
)

# The dense model's vectors of fact-checks' claims (issue 15), so a service start or a refresh
# embeds only the claims it has not seen (embedding costs ~0.05-0.1 s a text on one core). Keyed by
# SHA-256 of the model's name and the exact text read; ``vector``: little-endian float32 bytes.
claim_embeddings = Table(
    "claim_embeddings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("model", String(100), nullable=False),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Column("created_at", String(40), nullable=False),
)
