"""UpdateEventBus, and the newer members of DescribeEventBus and ListEventBuses."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, body, bus_arn, error, item, validation

DLQ = {"Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:dlq"}
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666"
LOGS = {"IncludeDetail": "FULL", "Level": "INFO"}


def test_update_sets_every_member_and_answers_them(events):
    events.create_event_bus(Name="orders")
    resp = body(
        events.update_event_bus(
            Name="orders", Description="all orders", KmsKeyIdentifier=KEY, DeadLetterConfig=DLQ, LogConfig=LOGS
        )
    )
    assert resp == {
        "Arn": bus_arn("orders"),
        "Name": "orders",
        "KmsKeyIdentifier": KEY,
        "Description": "all orders",
        "DeadLetterConfig": DLQ,
        "LogConfig": LOGS,
    }
    d = body(events.describe_event_bus(Name="orders"))
    assert {k: d[k] for k in ("Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig")} == {
        "Description": "all orders",
        "KmsKeyIdentifier": KEY,
        "DeadLetterConfig": DLQ,
        "LogConfig": LOGS,
    }
    (listed,) = events.list_event_buses(NamePrefix="orders")["EventBuses"]
    assert listed["Description"] == "all orders"
    assert set(listed) == {"Name", "Arn", "Description", "CreationTime", "LastModifiedTime"}


def test_update_keeps_members_not_given(events):
    events.create_event_bus(Name="orders", Description="first", KmsKeyIdentifier=KEY)
    events.update_event_bus(Name="orders", LogConfig=LOGS)
    d = events.describe_event_bus(Name="orders")
    assert (d["Description"], d["KmsKeyIdentifier"], d["LogConfig"]) == ("first", KEY, LOGS)


def test_empty_strings_clear(events):
    events.create_event_bus(Name="orders", Description="first", KmsKeyIdentifier=KEY)
    resp = body(events.update_event_bus(Name="orders", Description="", KmsKeyIdentifier=""))
    assert resp == {"Arn": bus_arn("orders"), "Name": "orders"}
    d = events.describe_event_bus(Name="orders")
    assert "Description" not in d and "KmsKeyIdentifier" not in d


def test_update_moves_last_modified_time(events):
    events.create_event_bus(Name="orders")
    before = events.describe_event_bus(Name="orders")
    time.sleep(0.01)
    events.update_event_bus(Name="orders", Description="x")
    after = events.describe_event_bus(Name="orders")
    assert after["LastModifiedTime"] > before["LastModifiedTime"]
    assert after["CreationTime"] == before["CreationTime"]


def test_update_without_name_is_the_default_bus(events):
    resp = body(events.update_event_bus(Description="the default bus"))
    assert resp == {"Arn": bus_arn("default"), "Name": "default", "Description": "the default bus"}
    assert events.describe_event_bus()["Description"] == "the default bus"


def test_update_takes_a_name_not_an_arn(events):
    events.create_event_bus(Name="orders")
    with pytest.raises(ClientError) as e:
        events.update_event_bus(Name=bus_arn("orders"), Description="d")
    assert error(e) == validation(
        item(bus_arn("orders"), "name", r"satisfy regular expression pattern: [/\.\-_A-Za-z0-9]+")
    )


def test_update_a_partner_bus(events, make_client):
    source = "aws.partner/example.com/t/orders"
    make_client(account_id="111111111111").create_partner_event_source(Name=source, Account=events.account_id)
    events.create_event_bus(Name=source, EventSourceName=source)
    assert events.update_event_bus(Name=source, Description="d")["Arn"] == bus_arn(source)


def test_update_unknown_bus(events):
    with pytest.raises(ClientError) as e:
        events.update_event_bus(Name="nope", Description="d")
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": "Event bus nope does not exist."}


def test_update_checks_the_model(events):
    events.create_event_bus(Name="orders")
    with pytest.raises(ClientError) as e:
        events.update_event_bus(Name="orders", Description="x" * 513)
    assert error(e) == validation(item("x" * 513, "description", "have length less than or equal to 512"))
    with pytest.raises(ClientError) as e:
        events.update_event_bus(Name="orders", LogConfig={"Level": "LOUD"})
    assert error(e) == validation(
        item("LOUD", "logConfig.level", "satisfy enum value set: [OFF, ERROR, INFO, TRACE]")
    )


def test_create_answers_the_newer_members(events):
    resp = body(
        events.create_event_bus(Name="orders", Description="d", KmsKeyIdentifier=KEY, DeadLetterConfig=DLQ, LogConfig=LOGS)
    )
    assert resp == {
        "EventBusArn": bus_arn("orders"),
        "Description": "d",
        "KmsKeyIdentifier": KEY,
        "DeadLetterConfig": DLQ,
        "LogConfig": LOGS,
    }
