"""Alembic environment: uses the connection Khiên passes in, or the URL from ``-x url=``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import khien.store.users  # noqa: F401  (console tables belong to the same metadata)
from khien.store.schema import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
