"""The app while it is being opened: the window paints from the first page read without
the ORM (crm.first_page), and the database opens right after the first paint.

:class:`PendingApp` stands in for ``crm.app.App``. Until the app is open it answers the few
calls the window makes before its first paint (the persons list's count and first page for
the default filter and order, the sidebar counts, saved lists, tags and districts) from the
:class:`~crm.first_page.FirstPage`; any other use of a service — a search typed early, a
shortcut, a page built early — opens the app first (on the GUI thread; a worker waits for
it) and then goes to the real service. Once open, every attribute is the real app's.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from crm.first_page import FirstPage
from crm.services.listing_rows import PERSONS, ListFilter, Sort

App = Any  # crm.app.App

# The services of crm.app.App (attributes whose methods are resolved when called).
SERVICES = frozenset((
    "people", "organisations", "roles", "municipalities", "staff", "search", "listing",
    "interactions", "followups", "projects", "events", "reports", "imports", "exports",
    "duplicates", "privacy",
))
_MISSING = object()


class _Requests(QObject):
    """Lives on the GUI thread: a worker that needs the app asks the GUI thread to open it."""

    wanted = Signal()

    def __init__(self, serve: Callable[[], None]) -> None:
        super().__init__()
        self._serve = serve
        self.wanted.connect(self.serve)  # queued to this (the GUI) thread

    @Slot()
    def serve(self) -> None:
        self._serve()


class AppNotOpened(RuntimeError):
    """The database could not be opened (the user was told; the window closes)."""


class PendingApp:
    """``crm.app.App`` as soon as it is open; until then the first page (module docstring).

    ``opener()`` opens the app (telling the user why not and returning None if it cannot);
    the callbacks of :meth:`on_open` then attach the window's other parts.
    """

    def __init__(self, page: FirstPage, opener: Callable[[], App | None], *,
                 prefs: Any = None) -> None:
        requests = _Requests(self._open_for_worker)
        self.__dict__.update(
            _page=page, _opener=opener, _prefs=prefs, _real=None, _failed=False,
            _opening=False, _callbacks=[], _opened=threading.Event(), _services={},
            _requests=requests)

    # -- state ---------------------------------------------------------------------------

    @property
    def real(self) -> App | None:
        """The opened app, or None while it is not (yet) open."""
        return self.__dict__["_real"]

    @property
    def failed(self) -> bool:
        return bool(self.__dict__["_failed"])

    @property
    def first_page(self) -> FirstPage:
        return self.__dict__["_page"]

    def on_open(self, callback: Callable[[App], None]) -> None:
        """Call ``callback(app)`` once the app is open (now, if it is)."""
        real = self.real
        if real is not None:
            callback(real)
        else:
            self.__dict__["_callbacks"].append(callback)

    def ensure(self) -> App:
        """The opened app: opens it now if needed (GUI thread), or waits for the GUI
        thread to open it (a worker). Raises :class:`AppNotOpened` when it could not."""
        real = self.real
        if real is not None:
            return real
        if self.failed:
            raise AppNotOpened()
        if threading.current_thread() is not threading.main_thread():
            self.__dict__["_requests"].wanted.emit()
            self.__dict__["_opened"].wait()
            if self.real is None:
                raise AppNotOpened()
            return self.real
        if self.__dict__["_opening"]:
            # Asked again while opening (a dialog's event loop): not open yet.
            raise AppNotOpened()
        self.__dict__["_opening"] = True
        try:
            real = self.__dict__["_opener"]()
        except BaseException:
            self._give_up()
            raise
        finally:
            self.__dict__["_opening"] = False
        if real is None:
            self._give_up()
            raise AppNotOpened()
        self.__dict__["_real"] = real
        self.__dict__["_opened"].set()
        callbacks, self.__dict__["_callbacks"] = self.__dict__["_callbacks"], []
        for callback in callbacks:
            callback(real)
        return real

    def _open_for_worker(self) -> None:
        with contextlib.suppress(AppNotOpened):  # told; the waiting worker gets it too
            self.ensure()

    def abandon(self) -> None:
        """The window closes before the app was opened: nothing opens it any more (a
        worker still waiting for it gets :class:`AppNotOpened`)."""
        if self.real is None:
            self._give_up()

    def _give_up(self) -> None:
        self.__dict__["_failed"] = True
        self.__dict__["_opened"].set()  # workers waiting for it give up too

    def close(self) -> None:
        if self.real is not None:
            self.real.close()

    # -- the app's attributes ------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        real = self.__dict__.get("_real")
        if real is not None:
            return getattr(real, name)
        if name.startswith("__"):
            raise AttributeError(name)
        if name in SERVICES:
            services = self.__dict__["_services"]
            if name not in services:
                services[name] = _PendingService(self, name)
            return services[name]
        known = self._known(name)
        if known is not _MISSING:
            return known
        return getattr(self.ensure(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.ensure(), name, value)

    def _known(self, name: str) -> Any:
        page = self.first_page
        if name == "location":
            return str(page.path)
        if name == "prefs" and self.__dict__["_prefs"] is not None:
            return self.__dict__["_prefs"]
        if name in ("read_only",):
            return False
        if name in ("current_staff", "offline", "outbox_report", "offline_copy"):
            return None  # the staff member shows once the app is open
        return _MISSING

    def answer(self, service: str, method: str, args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> Any:
        """What the first page says for this call, or ``_MISSING``."""
        page = self.first_page
        if service == "listing":
            if method in ("counts", "lists", "tags") and not args and not kwargs:
                return {"counts": page.counts, "lists": list(page.lists),
                        "tags": list(page.tags)}[method]
            if method == "count":
                call = _bind(args, kwargs, ("kind", "flt"), {"flt": ListFilter()})
                if call is not None and call["kind"] == PERSONS and call["flt"] == ListFilter():
                    return page.total
            if method == "page":
                call = _bind(args, kwargs, ("kind", "flt", "sort", "offset", "limit"),
                             {"flt": ListFilter(), "sort": Sort(), "offset": 0,
                              "limit": page.page_size})
                if call is not None and page.answers(**call):
                    return list(page.rows)
        if service == "municipalities" and method == "districts" and not args and not kwargs:
            return list(page.districts)
        return _MISSING


class _PendingService:
    """A service of the pending app: its methods answer from the first page, else open
    the app and call the real service."""

    def __init__(self, app: PendingApp, name: str) -> None:
        self._app = app
        self._name = name

    def __getattr__(self, method: str) -> Any:
        if method.startswith("__"):
            raise AttributeError(method)
        real = self._app.real
        if real is not None:
            return getattr(getattr(real, self._name), method)
        return _PendingMethod(self._app, self._name, method)


class _PendingMethod:
    def __init__(self, app: PendingApp, service: str, method: str) -> None:
        self._app, self._service, self._method = app, service, method

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._app.real is None:
            answer = self._app.answer(self._service, self._method, args, kwargs)
            if answer is not _MISSING:
                return answer
        real = self._app.ensure()
        return getattr(getattr(real, self._service), self._method)(*args, **kwargs)


def _bind(args: tuple[Any, ...], kwargs: dict[str, Any], names: tuple[str, ...],
          defaults: dict[str, Any]) -> dict[str, Any] | None:
    """The call's arguments by name (None if they do not fit ``names``)."""
    if len(args) > len(names) or set(kwargs) - set(names):
        return None
    call = dict(defaults)
    call.update(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key in call and names.index(key) < len(args):
            return None
        call[key] = value
    return call if all(n in call for n in names) else None
