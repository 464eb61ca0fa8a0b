"""The desk's database: SQLite under the store directory by default, any SQLAlchemy URL for a team
(YMATEB_DATABASE_URL, e.g. PostgreSQL); migrated to the newest schema with Alembic on opening.

SQLite runs in WAL mode with a busy timeout, so the app's tabs, the CLI and a batch can share the
file; a dropped PostgreSQL connection is noticed and replaced before use (pool_pre_ping).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from rag.errors import StoreError
from rag.index.failures import first_line
from rag.settings import Settings
from rag.text.safe import redact_urls

FILE = "desk.sqlite3"
MIGRATIONS = Path(__file__).parent / "migrations"
LOCK_KEY = 0x59_4D_41_54  # "YMAT": the PostgreSQL advisory lock held while migrating
BUSY_MS = 30_000


def database_url(settings: Settings) -> str:
    """The configured URL, else the SQLite file under the store directory."""
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{(Path(settings.store) / FILE).resolve()}"


def connect(url: str) -> Engine:
    """An engine on `url`, its schema migrated to head. StoreError if it cannot be reached."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=not sqlite, connect_args={"timeout": BUSY_MS / 1000} if sqlite else {})
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"Cannot open the desk's database {redact_urls(url)}: {reason(exc)}") from None
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (nothing to do when it is there), one process at a time."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    if _revision(engine) == head:
        return
    with _migration_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        if MigrationContext.configure(conn).get_current_revision() != head:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _migration_lock(engine: Engine) -> AbstractContextManager[object]:
    """A file lock beside a SQLite database (a server serialises with its advisory lock instead)."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    return FileLock(f"{database}.migrate.lock") if database and database != ":memory:" else nullcontext()


def reason(exc: SQLAlchemyError) -> str:
    """The first line of what the database driver said, with any URL's credentials hidden."""
    return redact_urls(first_line(getattr(exc, "orig", None) or exc))
