import math

import pytest

from beleidsbron.evals.calibrate import Labelled, cross_validate, fit, folds, rates
from beleidsbron.index.confidence import Signals


def _items() -> list[Labelled]:
    """Answerable items: high share, or a lower share on long queries; unanswerable: lower share, short."""
    items = []
    for n in range(60):
        long = n % 2 == 0
        share = 0.55 + 0.004 * n if long else 0.75 + 0.004 * n
        items.append(Labelled(f"a{n}", "set", True, Signals(min(share, 1.0), 24 if long else 8)))
    for n in range(20):
        items.append(Labelled(f"u{n}", "set", False, Signals(0.5 + 0.01 * n, 8)))
    return items


def test_the_fit_keeps_the_answerable_flag_rate_at_its_target_and_uses_the_length_when_it_helps() -> None:
    items = _items()
    model = fit(items, target=0.04)
    unans, ans = rates(items, [model.flags(i) for i in items])
    assert ans <= 0.05
    assert model.length_weight > 0  # the short unanswerable items sit below the long answerable ones
    share_only = fit(items, target=0.04, weights=(0.0,))
    assert unans > rates(items, [share_only.flags(i) for i in items])[0]


def test_folds_are_stratified() -> None:
    items = _items()
    assigned = folds(items, 5, seed=1)
    for fold in range(5):
        members = [i for i, f in zip(items, assigned) if f == fold]
        assert sum(not i.answerable for i in members) == 4
        assert sum(i.answerable for i in members) == 12


def test_cross_validation_judges_each_item_by_fits_made_without_it() -> None:
    items = _items()
    flagged = cross_validate(items, k=5, repeats=2)
    assert len(flagged) == len(items) and all(0.0 <= f <= 1.0 for f in flagged)
    unans, ans = rates(items, flagged)
    assert unans > 0.5 and ans < 0.2


def test_a_fit_needs_both_kinds_of_item() -> None:
    with pytest.raises(ValueError):
        fit([i for i in _items() if i.answerable])


def test_rates_of_an_empty_group_are_nan() -> None:
    assert all(math.isnan(r) for r in rates([], []))
