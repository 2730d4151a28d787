"""Limit and NextToken on every list operation."""

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from conftest import PATTERN, QUEUE_ARN, body, error, item, validation

BAD_TOKEN = {"Code": "ValidationException", "Message": "The NextToken provided is invalid."}


def populate(events, n=7):
    """n buses, n rules on the default bus, n targets ... spread to respect the 5-target limit."""
    names = [f"item-{i}" for i in range(n)]
    for name in names:
        events.create_event_bus(Name=name)
        events.put_rule(Name=name, EventPattern=PATTERN)
        events.put_targets(Rule=name, Targets=[{"Id": "t", "Arn": QUEUE_ARN}])
    events.put_rule(Name="many", EventPattern=PATTERN)
    events.put_targets(Rule="many", Targets=[{"Id": f"t{i}", "Arn": QUEUE_ARN} for i in range(5)])
    return names


# (method, fixed kwargs, result key, expected items)
def cases(names):
    return {
        "list_event_buses": ({"NamePrefix": "item-"}, "EventBuses", names),
        "list_rules": ({"NamePrefix": "item-"}, "Rules", names),
        "list_rule_names_by_target": ({"TargetArn": QUEUE_ARN}, "RuleNames", ["item-0", "item-1", "item-2", "item-3", "item-4", "item-5", "item-6", "many"]),
        "list_targets_by_rule": ({"Rule": "many"}, "Targets", [f"t{i}" for i in range(5)]),
    }


def key(entry):
    if isinstance(entry, str):
        return entry
    return entry.get("Name") or entry["Id"]


METHODS = ["list_event_buses", "list_rules", "list_rule_names_by_target", "list_targets_by_rule"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("limit", [1, 2, 3, 5, 100])
def test_pages_cover_all_items_in_order(events, method, limit):
    kwargs, result, expected = cases(populate(events))[method]
    call = getattr(events, method)
    seen, pages, token = [], [], None
    while True:
        extra = {"NextToken": token} if token else {}
        page = body(call(Limit=limit, **kwargs, **extra))
        pages.append(page)
        assert set(page) <= {result, "NextToken"}
        assert len(page[result]) <= limit
        seen += [key(e) for e in page[result]]
        token = page.get("NextToken")
        if token is None:
            break
        assert isinstance(token, str) and token
        assert len(page[result]) == limit
    assert seen == expected
    assert len(pages) == max(1, -(-len(expected) // limit))
    assert "NextToken" not in pages[-1]


@pytest.mark.parametrize("method", METHODS)
def test_no_limit_returns_everything(events, method):
    kwargs, result, expected = cases(populate(events))[method]
    page = body(getattr(events, method)(**kwargs))
    assert set(page) == {result}
    assert [key(e) for e in page[result]] == expected


def test_list_rules_exact_pages(events):
    for i in range(6):
        events.put_rule(Name=f"prefix-{i}", EventPattern=PATTERN)
    first = body(events.list_rules(NamePrefix="prefix", Limit=3))
    token = first.pop("NextToken")
    assert [r["Name"] for r in first["Rules"]] == ["prefix-0", "prefix-1", "prefix-2"]
    second = body(events.list_rules(NamePrefix="prefix", Limit=3, NextToken=token))
    assert [r["Name"] for r in second.pop("Rules")] == ["prefix-3", "prefix-4", "prefix-5"]
    assert second == {}


def test_limit_larger_than_list(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    assert [r["Name"] for r in body(events.list_rules(Limit=50))["Rules"]] == ["r1"]
    assert "NextToken" not in events.list_rules(Limit=1)


def test_token_survives_deletion_of_items(events):
    for i in range(4):
        events.put_rule(Name=f"r{i}", EventPattern=PATTERN)
    token = events.list_rules(Limit=2)["NextToken"]
    events.delete_rule(Name="r2")
    assert [r["Name"] for r in events.list_rules(Limit=2, NextToken=token)["Rules"]] == ["r3"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("token", ["garbage", "!!!", "x" * 2048])
def test_malformed_next_token(events, method, token):
    kwargs, _, _ = cases(populate(events, 1))[method]
    with pytest.raises(ClientError) as e:
        getattr(events, method)(NextToken=token, **kwargs)
    assert error(e) == BAD_TOKEN


@pytest.mark.parametrize("method", METHODS)
def test_limit_above_100(events, method):
    kwargs, _, _ = cases(populate(events, 1))[method]
    with pytest.raises(ClientError) as e:
        getattr(events, method)(Limit=101, **kwargs)
    assert error(e) == validation(item("101", "limit", "have value less than or equal to 100"))


@pytest.mark.parametrize("method", METHODS)
def test_limit_below_1_is_rejected_by_the_client(events, method):
    kwargs, _, _ = cases(populate(events, 1))[method]
    with pytest.raises(ParamValidationError) as e:
        getattr(events, method)(Limit=0, **kwargs)
    assert str(e.value) == (
        "Parameter validation failed:\nInvalid value for parameter Limit, value: 0, valid min value: 1"
    )


@pytest.mark.parametrize("method", METHODS)
def test_empty_next_token_is_rejected_by_the_client(events, method):
    kwargs, _, _ = cases(populate(events, 1))[method]
    with pytest.raises(ParamValidationError) as e:
        getattr(events, method)(NextToken="", **kwargs)
    assert str(e.value) == (
        "Parameter validation failed:\nInvalid length for parameter NextToken, value: 0, valid min length: 1"
    )


def test_next_token_too_long(events):
    token = "x" * 2049
    with pytest.raises(ClientError) as e:
        events.list_rules(NextToken=token)
    assert error(e) == validation(item(token, "nextToken", "have length less than or equal to 2048"))
