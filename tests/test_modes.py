"""Mode switches: the fast-path counter stays exact when a block is left in another context."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager

import pytest

from autograd import Value, detect_anomaly, modes, no_grad

SWITCHES: dict[str, tuple[Callable[[], AbstractContextManager[None]], Callable[[], bool]]] = {
    "no_grad": (no_grad, lambda: not modes.grad_enabled()),
    "detect_anomaly": (detect_anomaly, modes.anomaly_enabled),
}


@pytest.fixture(autouse=True)
def _reset_the_counter() -> Iterator[None]:
    yield
    modes.active = 0  # a stuck counter fails its own test, not every test after it


@pytest.mark.parametrize("name", SWITCHES)
def test_a_generator_closed_from_another_thread_closes_its_block(name: str) -> None:
    switch, is_on = SWITCHES[name]

    def numbers() -> Iterator[int]:
        with switch():
            yield 1

    generator = numbers()
    next(generator)  # the block is open now, in this thread's context
    assert modes.active == 1
    assert is_on()
    errors: list[BaseException] = []

    def close() -> None:
        try:
            generator.close()
        except BaseException as error:  # reported by the assert below
            errors.append(error)

    thread = threading.Thread(target=close)
    thread.start()
    thread.join()
    assert errors == []
    assert modes.active == 0
    assert not is_on()
    assert (Value(2.0) * 3)._prev != ()


@pytest.mark.parametrize("name", SWITCHES)
def test_an_async_generator_finalized_by_asyncio_closes_its_block(name: str) -> None:
    switch, is_on = SWITCHES[name]
    seen: dict[str, bool] = {}

    async def numbers() -> AsyncIterator[int]:
        with switch():
            yield 1
            yield 2

    async def main() -> None:
        generator = numbers()
        await generator.__anext__()  # open in this task; asyncio closes it in another task
        seen["on inside"] = is_on()
        del generator
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        seen["on after"] = is_on()

    asyncio.run(main())
    assert seen == {"on inside": True, "on after": False}
    assert modes.active == 0
    assert not is_on()


def test_a_block_exited_by_hand_in_another_task_closes() -> None:
    block = no_grad()

    async def main() -> bool:
        block.__enter__()
        await asyncio.create_task(_exit(block))  # the task runs in a copy of this context
        return modes.grad_enabled()

    assert asyncio.run(main())
    assert modes.active == 0


async def _exit(block: AbstractContextManager[None]) -> None:
    block.__exit__(None, None, None)


def test_blocks_left_out_of_order_keep_the_one_still_open() -> None:
    def numbers() -> Iterator[int]:
        with no_grad():
            yield 1

    first, second = numbers(), numbers()
    next(first)
    next(second)
    first.close()  # the older block ends while the newer one is still open
    assert modes.active == 1
    assert not modes.grad_enabled()
    second.close()
    assert modes.active == 0
    assert modes.grad_enabled()


def test_nested_blocks_count_and_restore() -> None:
    with no_grad():
        with detect_anomaly(), no_grad():
            assert modes.active == 3
        assert modes.active == 1
        assert not modes.grad_enabled()
        assert not modes.anomaly_enabled()
    assert modes.active == 0
    assert modes.grad_enabled()
