"""Sign-in throttling kept in the store: per address it refuses, per account it only delays."""

from khien.access import throttle
from khien.access.throttle import LIMITS
from khien.clock import FakeClock


def test_a_flood_of_other_names_does_not_reset_the_targeted_account(store):
    clock = FakeClock()
    with store.write() as tx:
        for _ in range(LIMITS.name_free + 3):
            throttle.failed(tx, "lan", "203.0.113.7", clock=clock)
        before = throttle.check(tx, "lan", "198.51.100.1", clock=clock)
        assert before.delay > 0
        # 10,002 failures with other names, from many addresses (the old in-memory table cleared itself)
        for i in range(10_002):
            throttle.failed(tx, f"khach-{i}", f"10.9.{i // 250}.{i % 250}", clock=clock)
        after = throttle.check(tx, "lan", "198.51.100.1", clock=clock)
    assert after == before
    with store.read() as tx:
        assert throttle.check(tx, "lan", "203.0.113.7", clock=clock).delay == before.delay


def test_an_address_that_keeps_failing_is_refused_until_its_failures_age(store):
    clock = FakeClock()
    with store.write() as tx:
        for i in range(LIMITS.addr_limit):
            assert not throttle.check(tx, f"ten-{i}", "203.0.113.7", clock=clock).refused
            throttle.failed(tx, f"ten-{i}", "203.0.113.7", clock=clock)
            clock.advance(1)
        gate = throttle.check(tx, "lan", "203.0.113.7", clock=clock)
        assert gate.refused and 0 < gate.retry_after <= LIMITS.window
        assert not throttle.check(tx, "lan", "198.51.100.1", clock=clock).refused  # another address is not
        clock.advance(LIMITS.window)
        assert not throttle.check(tx, "lan", "203.0.113.7", clock=clock).refused


def test_an_account_under_attack_is_delayed_never_refused_and_the_delay_is_bounded(store):
    clock = FakeClock()
    delays = []
    with store.write() as tx:
        for i in range(200):  # spread over many addresses, so no address limit applies
            gate = throttle.check(tx, "Lan", f"10.0.{i // 200}.{i % 200}", clock=clock)
            assert not gate.refused
            delays.append(gate.delay)
            throttle.failed(tx, "Lan", f"10.0.{i // 200}.{i % 200}", clock=clock)
            clock.advance(0.5)
        owner = throttle.check(tx, "lan", "192.0.2.10", clock=clock)  # the same account, any spelling
    assert delays[:LIMITS.name_free] == [0.0] * LIMITS.name_free
    assert delays == sorted(delays) and max(delays) == LIMITS.name_max_delay
    assert not owner.refused and 0 < owner.delay <= LIMITS.name_max_delay
    with store.write() as tx:
        throttle.succeeded(tx, "lan")
        assert throttle.check(tx, "lan", "192.0.2.10", clock=clock).delay == 0


def test_failures_are_forgotten_after_the_window(store):
    clock = FakeClock()
    with store.write() as tx:
        for _ in range(LIMITS.name_free + 2):
            throttle.failed(tx, "minh", "203.0.113.9", clock=clock)
        assert throttle.check(tx, "minh", "203.0.113.9", clock=clock).delay > 0
        clock.advance(LIMITS.window + 1)
        assert throttle.check(tx, "minh", "203.0.113.9", clock=clock).delay == 0
