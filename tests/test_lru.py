"""The bounded store behind the page and fragment caches (portal.lru)."""

from portal.web.lru import LARGEST_SHARE, SizedLRU


def test_the_least_recently_used_go_first_once_the_bytes_are_spent():
    store = SizedLRU(max_entries=100, max_bytes=1000)
    for key in "abcd":
        assert store.put(key, key.upper(), 100)
    assert store.get("a") == "A"
    for key in "efghijk":
        store.put(key, key.upper(), 100)
    assert store.bytes == 1000 and len(store) == 10
    assert store.get("a") == "A" and store.get("b") is None


def test_the_entry_count_bounds_too():
    store = SizedLRU(max_entries=2, max_bytes=10**6)
    for key in "abc":
        store.put(key, key, 1)
    assert len(store) == 2 and store.get("a") is None and store.bytes == 2


def test_a_value_over_its_share_of_the_budget_is_not_kept():
    store = SizedLRU(max_entries=100, max_bytes=800)
    store.put("small", "s", 10)
    assert not store.put("huge", "h", 800 // LARGEST_SHARE + 1)
    assert store.get("huge") is None and store.get("small") == "s" and store.bytes == 10


def test_storing_a_key_again_replaces_its_size():
    store = SizedLRU(max_entries=100, max_bytes=1000)
    store.put("a", "one", 50)
    store.put("a", "two", 70)
    assert (store.get("a"), store.bytes, len(store)) == ("two", 70, 1)


def test_nothing_is_kept_with_no_budget():
    store = SizedLRU(max_entries=100, max_bytes=0)
    assert not store.put("a", "a", 1) and len(store) == 0
