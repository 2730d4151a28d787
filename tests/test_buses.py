"""CreateEventBus, DescribeEventBus, ListEventBuses, DeleteEventBus."""

import datetime

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, PATTERN, body, bus_arn, error, item, validation


def not_found(name):
    return {"Code": "ResourceNotFoundException", "Message": f"Event bus {name} does not exist."}


def is_aware(value):
    return isinstance(value, datetime.datetime) and value.tzinfo is not None and value.utcoffset() is not None


def test_create_event_bus_returns_only_the_arn(events):
    assert body(events.create_event_bus(Name="orders")) == {"EventBusArn": bus_arn("orders")}


def test_create_event_bus_returns_the_description_given(events):
    response = events.create_event_bus(Name="orders", Description="Order events")
    assert body(response) == {"EventBusArn": bus_arn("orders"), "Description": "Order events"}


def test_describe_custom_event_bus(events):
    events.create_event_bus(Name="orders")
    response = body(events.describe_event_bus(Name="orders"))
    created, modified = response.pop("CreationTime"), response.pop("LastModifiedTime")
    assert response == {"Name": "orders", "Arn": bus_arn("orders")}
    assert is_aware(created) and is_aware(modified)
    assert created == modified
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - created).total_seconds()) < 60


def test_describe_event_bus_with_description(events):
    events.create_event_bus(Name="orders", Description="Order events")
    response = body(events.describe_event_bus(Name="orders"))
    assert {k: v for k, v in response.items() if not k.endswith("Time")} == {
        "Name": "orders",
        "Arn": bus_arn("orders"),
        "Description": "Order events",
    }


def test_describe_event_bus_defaults_to_default_bus(events):
    response = body(events.describe_event_bus())
    assert is_aware(response.pop("CreationTime"))
    assert is_aware(response.pop("LastModifiedTime"))
    assert response == {"Name": "default", "Arn": bus_arn("default")}


def test_describe_event_bus_by_arn(events):
    events.create_event_bus(Name="orders")
    response = body(events.describe_event_bus(Name=bus_arn("orders")))
    assert response["Name"] == "orders"
    assert response["Arn"] == bus_arn("orders")


def test_describe_missing_event_bus(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.describe_event_bus(Name="nope")
    assert error(e) == not_found("nope")


def test_describe_missing_event_bus_by_arn_names_the_bus(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.describe_event_bus(Name=bus_arn("nope"))
    assert error(e) == not_found("nope")


def test_create_existing_event_bus(events):
    events.create_event_bus(Name="orders")
    with pytest.raises(events.exceptions.ResourceAlreadyExistsException) as e:
        events.create_event_bus(Name="orders")
    assert error(e) == {
        "Code": "ResourceAlreadyExistsException",
        "Message": "Event bus orders already exists.",
    }


def test_create_default_event_bus_already_exists(events):
    with pytest.raises(events.exceptions.ResourceAlreadyExistsException) as e:
        events.create_event_bus(Name="default")
    assert error(e) == {
        "Code": "ResourceAlreadyExistsException",
        "Message": "Event bus default already exists.",
    }


def test_create_event_bus_with_reserved_prefix(events):
    with pytest.raises(ClientError) as e:
        events.create_event_bus(Name="aws.orders")
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "EventBus name starting with 'aws.' is not valid.",
    }


def test_create_event_bus_with_slash_in_name(events):
    with pytest.raises(ClientError) as e:
        events.create_event_bus(Name="orders/eu")
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Event bus name must not contain '/'.",
    }


def test_create_partner_event_bus_for_unknown_source(events):
    source = "aws.partner/example.com/123/orders"
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.create_event_bus(Name=source, EventSourceName=source)
    assert error(e) == {
        "Code": "ResourceNotFoundException",
        "Message": f"Event source {source} does not exist.",
    }


def test_create_event_bus_name_pattern(events):
    with pytest.raises(ClientError) as e:
        events.create_event_bus(Name="a b")
    assert error(e) == validation(
        item("a b", "name", r"satisfy regular expression pattern: [/\.\-_A-Za-z0-9]+")
    )


def test_create_event_bus_name_too_long(events):
    name = "b" * 257
    with pytest.raises(ClientError) as e:
        events.create_event_bus(Name=name)
    assert error(e) == validation(item(name, "name", "have length less than or equal to 256"))


def test_list_event_buses_includes_default(events):
    events.create_event_bus(Name="orders")
    response = body(events.list_event_buses())
    for bus in response["EventBuses"]:
        assert is_aware(bus.pop("CreationTime"))
        assert is_aware(bus.pop("LastModifiedTime"))
    assert response == {
        "EventBuses": [
            {"Name": "default", "Arn": bus_arn("default")},
            {"Name": "orders", "Arn": bus_arn("orders")},
        ]
    }


def test_list_event_buses_with_prefix_in_name_order(events):
    for name in ["orders-b", "orders-a", "payments", "orders-c"]:
        events.create_event_bus(Name=name)
    response = body(events.list_event_buses(NamePrefix="orders"))
    assert [b["Name"] for b in response["EventBuses"]] == ["orders-a", "orders-b", "orders-c"]
    assert set(response) == {"EventBuses"}
    assert [b["Name"] for b in events.list_event_buses(NamePrefix="orders-b")["EventBuses"]] == [
        "orders-b"
    ]


def test_list_event_buses_item_with_description(events):
    events.create_event_bus(Name="orders", Description="Order events")
    (bus,) = events.list_event_buses(NamePrefix="orders")["EventBuses"]
    assert {k: v for k, v in bus.items() if not k.endswith("Time")} == {
        "Name": "orders",
        "Arn": bus_arn("orders"),
        "Description": "Order events",
    }


def test_list_event_buses_prefix_matching_nothing(events):
    assert body(events.list_event_buses(NamePrefix="zzz")) == {"EventBuses": []}


def test_list_event_buses_prefix_selects_default(events):
    names = [b["Name"] for b in events.list_event_buses(NamePrefix="def")["EventBuses"]]
    assert names == ["default"]


def test_delete_event_bus(events):
    events.create_event_bus(Name="orders")
    assert body(events.delete_event_bus(Name="orders")) == {}
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.describe_event_bus(Name="orders")
    assert error(e) == not_found("orders")
    assert body(events.list_event_buses(NamePrefix="orders")) == {"EventBuses": []}


def test_delete_missing_event_bus_succeeds(events):
    assert body(events.delete_event_bus(Name="nope")) == {}


def test_delete_default_event_bus(events):
    with pytest.raises(ClientError) as e:
        events.delete_event_bus(Name="default")
    assert error(e) == {"Code": "ValidationException", "Message": "Cannot delete event bus default."}


def test_recreated_event_bus_is_new(events):
    events.create_event_bus(Name="orders", Description="old")
    events.delete_event_bus(Name="orders")
    events.create_event_bus(Name="orders")
    response = body(events.describe_event_bus(Name="orders"))
    assert "Description" not in response


def test_delete_event_bus_with_rules_succeeds(events):
    events.create_event_bus(Name="orders")
    events.put_rule(Name="r", EventBusName="orders", EventPattern=PATTERN)
    assert body(events.delete_event_bus(Name="orders")) == {}
    with pytest.raises(events.exceptions.ResourceNotFoundException):
        events.describe_event_bus(Name="orders")


def test_event_buses_are_per_region_and_account(events, make_client):
    events.create_event_bus(Name="orders")
    west = make_client(region_name="eu-west-1")
    other = make_client(account_id="210987654321")
    for client in (west, other):
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_event_bus(Name="orders")
    assert body(west.create_event_bus(Name="orders")) == {
        "EventBusArn": bus_arn("orders", region="eu-west-1")
    }
    assert body(other.create_event_bus(Name="orders")) == {
        "EventBusArn": bus_arn("orders", account="210987654321")
    }
    assert body(other.describe_event_bus())["Arn"] == bus_arn("default", account="210987654321")


def test_clients_on_same_backend_share_state(events, make_client):
    events.create_event_bus(Name="orders")
    again = make_client()
    assert again.describe_event_bus(Name="orders")["Arn"] == bus_arn("orders")


def test_china_partition_arns(make_client):
    cn = make_client(region_name="cn-north-1")
    assert body(cn.create_event_bus(Name="orders")) == {
        "EventBusArn": f"arn:aws-cn:events:cn-north-1:{ACCOUNT}:event-bus/orders"
    }


def test_event_bus_quota(events):
    # 100 event buses per account and region; whether the default bus counts is not known,
    # so only the 99 custom buses that fit either way are created before the 101st fails.
    for i in range(99):
        events.create_event_bus(Name=f"bus-{i:03d}")
    with pytest.raises(events.exceptions.LimitExceededException) as e:
        events.create_event_bus(Name="bus-100")
        events.create_event_bus(Name="bus-101")
    assert error(e) == {
        "Code": "LimitExceededException",
        "Message": "The requested resource exceeds the maximum number allowed.",
    }
