"""The FastAPI app factory: ``create_app(settings)``.

The app owns one store and one engine. Its lifespan starts the background worker (deciding stored
items) and the webhook dispatcher, and stops them on shutdown. Routers only parse, authorise and
call the service functions in ``khien.review``; the same functions serve the moderator console.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import Response

from .. import __version__
from ..clock import SYSTEM, Clock
from ..engine import Engine
from ..review.services import Store, migrate, open_store, queue_counts
from .auth import KeyCache
from .deps import json_response
from .metrics import CONTENT_TYPE, Metrics, MetricsMiddleware
from .headers import SecurityHeaders
from .problems import BodyGuard, install_handlers
from ..run.children import EngineRecipe
from ..run.worker import DecidePool
from .routers import accounts, admin, appeals, audit, campaigns, cases, flaggers, items, legal, reports
from .routers import claims as claims_routes
from ..settings import Settings

__all__ = ["create_app"]

DESCRIPTION = """Khiên's service API. Send items, get decisions with their statement of reasons;
work the review queue; decide appeals; record requests from authorities; read the hash-chained
audit log. Authenticate with `Authorization: Bearer <key>`; errors are `application/problem+json`."""


def create_app(settings: Settings | None = None, *, engine: Engine | None = None, store: Store | None = None,
               clock: Clock = SYSTEM) -> FastAPI:
    """The API and console over ``store``; ``clock`` is the time every background part and page reads."""
    settings = settings or Settings.from_env()
    store = store or open_store(settings.database_url)
    if settings.migrate:
        migrate(store)
    from ..review.claims_live import LiveClaims

    # The live fact-checks: claims.v1 matches them, GET /v1/claims/match shows the same matches.
    claims_source = LiveClaims(store, clock=clock, dense=settings.claims_dense)
    recipe: EngineRecipe | None = EngineRecipe(settings.policy)  # an engine of the caller's: as before
    if engine is None:  # claims.v1 matches the store's live fact-checks, in this process and in the children
        from ..detect.context import DetectorContext

        engine = Engine.from_policy(settings.policy, context=DetectorContext(claims=claims_source))
        recipe = EngineRecipe.with_live_claims(settings.policy, store.url, dense=settings.claims_dense)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from ..run.webhooks import Dispatcher
        from ..run.worker import Committer, Worker

        worker = Worker(store, engine, batch=settings.worker_batch, batch_bytes=settings.worker_batch_bytes,
                        idle_s=settings.worker_idle_s, clock=clock,
                        lease_s=settings.worker_lease_s)
        dispatcher = Dispatcher.from_settings(store, settings, clock=clock)
        app.state.worker, app.state.dispatcher = worker, dispatcher
        committer = Committer(store, engine, clock=clock).start()
        app.state.committer = committer
        if settings.worker:
            worker.start()
            app.state.wake_worker = worker.wake
        if settings.webhooks:
            dispatcher.start()
            app.state.wake_webhooks = dispatcher.wake
        try:
            yield
        finally:
            # First: engine children still deciding long texts are terminated (their requests get
            # a 503 at once), so nothing below waits for them.
            app.state.decider.close()
            committer.stop()
            if app.state.committer is committer:
                app.state.committer = None
            if settings.worker:
                worker.stop()
            if settings.webhooks:
                dispatcher.stop()

    # FastAPI's own OpenTelemetry hooks are off: /metrics is the service's instrumentation, and
    # per-request spans cost latency on the moderation hot path. No Swagger UI or ReDoc: both load
    # scripts from a CDN, which would run on the console's origin; /openapi.json is the API's
    # description (any OpenAPI viewer reads it).
    app = FastAPI(title="Khiên", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None,
                  telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False})
    app.state.settings = settings
    app.state.store = store
    app.state.engine = engine
    app.state.claims = claims_source
    # Long texts are decided in child processes that rebuild the engine from the policy setting (and
    # open the store's fact-checks when this engine does); a child whose engine differs from
    # ``engine`` (one given by the caller) is never used.
    app.state.decider = DecidePool(engine, threads=settings.decide_threads, limit=settings.decide_queue,
                                   processes=settings.decide_processes, inline_chars=settings.decide_inline_chars,
                                   recipe=recipe)
    app.state.clock = clock
    app.state.keys = KeyCache(store, settings.key_cache_s, clock=clock)
    app.state.metrics = metrics
    app.state.committer = None
    app.state.wake_worker = lambda: None
    app.state.wake_webhooks = lambda: None
    install_handlers(app)
    for module in (items, cases, appeals, legal, audit, admin, accounts, reports, flaggers, campaigns,
                   claims_routes):
        app.include_router(module.router)

    @app.get("/healthz", tags=["service"], summary="Liveness and readiness")
    def healthz(request: Request) -> Response:
        with store.read() as tx:
            counts = queue_counts(tx)
        worker = getattr(request.app.state, "worker", None)
        return json_response({"status": "ok", "version": __version__, "policy": engine.policy.version,
                              "database": store.dialect, "items_pending": counts.items_pending,
                              "worker": bool(worker and worker._thread and worker._thread.is_alive())})

    @app.get("/metrics", tags=["service"], summary="Prometheus metrics")
    def prometheus(request: Request) -> Response:
        with store.read() as tx:
            counts = queue_counts(tx)
        metrics.items_pending.set(counts.items_pending)
        metrics.items_failed.set(counts.items_failed)
        metrics.cases_open.set(counts.cases_open)
        state: Any = request.app.state
        if getattr(state, "worker", None):
            metrics.worker_decided.set(state.worker.decided)
        if getattr(state, "dispatcher", None):
            metrics.webhooks_delivered.set(state.dispatcher.delivered)
            metrics.webhooks_dead.set(state.dispatcher.dead)
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    app.add_middleware(BodyGuard, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    from .console.routes import mount as mount_console

    mount_console(app)
    return app
