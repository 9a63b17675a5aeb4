"""Fixtures for the Images tab: a page over the loopback server, with a token, in a private PARLA_HOME."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image

from app.credentials import Vault
from app.profiles import Capability, Profile
from app.ui.context import AppContext
from app.ui.images.page import ImagesPage


def png_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (30, 120, 200), fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.fixture
def images_profile(loopback: Any) -> Profile:
    return Profile(id="default", name="Loopback", base_url=loopback.base_url, timeout=10, connect_timeout=5,
                   models={str(Capability.IMAGE): "gpt-image-1"})


@pytest.fixture
def connect(qtbot: Any, make_context: Any, vault: Vault, loopback: Any) -> Callable[..., AppContext]:
    """``connect(profile)``: a context whose session has a client for ``profile`` (token in the vault)."""

    def make(profile: Profile) -> AppContext:
        vault.set(profile.id, loopback.token)
        context = make_context(profiles=[profile])
        context.session.start()
        qtbot.waitUntil(lambda: context.session.client is not None, timeout=10000)
        return context

    return make


@pytest.fixture
def images_context(connect: Callable[..., AppContext], images_profile: Profile) -> AppContext:
    return connect(images_profile)


@pytest.fixture
def make_page(qtbot: Any, images_context: AppContext) -> Iterator[Callable[..., ImagesPage]]:
    pages: list[ImagesPage] = []

    def make(context: AppContext | None = None, *, wait: bool = True) -> ImagesPage:
        page = ImagesPage(context or images_context)
        qtbot.addWidget(page)
        page.resize(1200, 800)
        page.show()
        if wait:
            qtbot.waitUntil(lambda: page.controller.loaded, timeout=10000)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.hide()


@pytest.fixture
def page(make_page: Callable[..., ImagesPage]) -> ImagesPage:
    return make_page()


def run_and_wait(qtbot: Any, page: ImagesPage, operation: Any, timeout: int = 15000) -> None:
    """Click the panel's button and wait until its request has finished."""
    panel = page.panels[operation]
    with qtbot.waitSignal(page.request_finished, timeout=timeout):
        panel.run_bar.run_button.click()
