"""PutPermission and RemovePermission, and the policy DescribeEventBus returns."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, body, bus_arn, error, item, validation

OTHER = "111122223333"


def statement(sid, principal, bus="default", condition=None):
    st = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
        "Action": "events:PutEvents",
        "Resource": bus_arn(bus),
    }
    if condition is not None:
        st["Condition"] = condition
    return st


def policy(events, bus=None):
    kwargs = {} if bus is None else {"Name": bus}
    text = events.describe_event_bus(**kwargs).get("Policy")
    return None if text is None else json.loads(text)


def grant(events, sid, principal, **kwargs):
    return events.put_permission(Action="events:PutEvents", Principal=principal, StatementId=sid, **kwargs)


@pytest.fixture(params=["default", "orders"])
def bus(request, events):
    if request.param != "default":
        events.create_event_bus(Name=request.param)
    return request.param


def test_new_bus_has_no_policy(events, bus):
    assert "Policy" not in events.describe_event_bus(Name=bus)


def test_put_permission_for_account(events, bus):
    assert body(grant(events, "sid1", OTHER, EventBusName=bus)) == {}
    response = events.describe_event_bus(Name=bus)
    assert isinstance(response["Policy"], str)
    assert json.loads(response["Policy"]) == {
        "Version": "2012-10-17",
        "Statement": [statement("sid1", OTHER, bus)],
    }


def test_put_permission_on_default_bus_without_name(events):
    grant(events, "sid1", OTHER)
    assert policy(events) == {"Version": "2012-10-17", "Statement": [statement("sid1", OTHER)]}


def test_statements_accumulate_and_same_sid_replaces(events, bus):
    grant(events, "sid1", ACCOUNT, EventBusName=bus)
    grant(events, "sid2", ACCOUNT, EventBusName=bus)
    grant(events, "sid3", OTHER, EventBusName=bus)
    grant(events, "sid4", "*", EventBusName=bus)
    grant(events, "sid2", OTHER, EventBusName=bus)
    assert policy(events, bus) == {
        "Version": "2012-10-17",
        "Statement": [
            statement("sid1", ACCOUNT, bus),
            statement("sid2", OTHER, bus),
            statement("sid3", OTHER, bus),
            statement("sid4", "*", bus),
        ],
    }


def test_put_permission_with_condition(events, bus):
    grant(
        events,
        "org",
        "*",
        EventBusName=bus,
        Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-1234567890"},
    )
    assert policy(events, bus) == {
        "Version": "2012-10-17",
        "Statement": [
            statement("org", "*", bus, {"StringEquals": {"aws:PrincipalOrgID": "o-1234567890"}})
        ],
    }


def test_put_permission_with_policy_replaces_statements(events, bus):
    grant(events, "sid1", OTHER, EventBusName=bus)
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "fromPolicy",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "events:ListRules",
                "Resource": "*",
            }
        ],
    }
    assert body(events.put_permission(EventBusName=bus, Policy=json.dumps(doc))) == {}
    assert policy(events, bus) == doc


def test_statement_added_after_policy(events):
    doc = {"Version": "2012-10-17", "Statement": [statement("fromPolicy", OTHER)]}
    events.put_permission(Policy=json.dumps(doc))
    grant(events, "added", ACCOUNT)
    assert policy(events) == {
        "Version": "2012-10-17",
        "Statement": [statement("fromPolicy", OTHER), statement("added", ACCOUNT)],
    }


def test_policy_is_listed_with_the_bus(events):
    events.create_event_bus(Name="orders")
    grant(events, "sid1", OTHER, EventBusName="orders")
    (item_,) = events.list_event_buses(NamePrefix="orders")["EventBuses"]
    assert json.loads(item_["Policy"]) == {
        "Version": "2012-10-17",
        "Statement": [statement("sid1", OTHER, "orders")],
    }


def test_remove_permission(events, bus):
    grant(events, "sid1", OTHER, EventBusName=bus)
    grant(events, "sid2", "*", EventBusName=bus)
    assert body(events.remove_permission(StatementId="sid1", EventBusName=bus)) == {}
    assert policy(events, bus) == {"Version": "2012-10-17", "Statement": [statement("sid2", "*", bus)]}


def test_removing_last_statement_removes_policy(events, bus):
    grant(events, "sid1", OTHER, EventBusName=bus)
    events.remove_permission(StatementId="sid1", EventBusName=bus)
    assert "Policy" not in events.describe_event_bus(Name=bus)


def test_remove_all_permissions(events, bus):
    grant(events, "sid1", OTHER, EventBusName=bus)
    grant(events, "sid2", ACCOUNT, EventBusName=bus)
    assert body(events.remove_permission(RemoveAllPermissions=True, EventBusName=bus)) == {}
    assert "Policy" not in events.describe_event_bus(Name=bus)


def test_remove_all_permissions_without_policy(events, bus):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.remove_permission(RemoveAllPermissions=True, EventBusName=bus)
    assert error(e) == {
        "Code": "ResourceNotFoundException",
        "Message": "EventBus does not have a policy.",
    }


@pytest.mark.parametrize("with_policy", [True, False])
def test_remove_missing_statement(events, bus, with_policy):
    if with_policy:
        grant(events, "sid1", OTHER, EventBusName=bus)
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.remove_permission(StatementId="nope", EventBusName=bus)
    assert error(e) == {
        "Code": "ResourceNotFoundException",
        "Message": "Statement with the provided id does not exist.",
    }


def test_permission_on_missing_bus(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        grant(events, "sid1", OTHER, EventBusName="nope")
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": "Event bus nope does not exist."}
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.remove_permission(StatementId="sid1", EventBusName="nope")
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": "Event bus nope does not exist."}


def test_put_permission_updates_last_modified_time(events):
    events.create_event_bus(Name="orders")
    before = events.describe_event_bus(Name="orders")
    grant(events, "sid1", OTHER, EventBusName="orders")
    after = events.describe_event_bus(Name="orders")
    assert after["CreationTime"] == before["CreationTime"]
    assert after["LastModifiedTime"] >= before["LastModifiedTime"]


def test_unsupported_action(events):
    with pytest.raises(ClientError) as e:
        events.put_permission(Action="events:ListRules", Principal=OTHER, StatementId="s")
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Provided value in parameter 'action' is not supported.",
    }


def test_principal_pattern(events):
    with pytest.raises(ClientError) as e:
        grant(events, "s", "12345")
    assert error(e) == validation(
        item("12345", "principal", r"satisfy regular expression pattern: (\d{12}|\*)")
    )


def test_statement_id_pattern(events):
    with pytest.raises(ClientError) as e:
        grant(events, "a b", OTHER)
    assert error(e) == validation(
        item("a b", "statementId", "satisfy regular expression pattern: [a-zA-Z0-9-_]+")
    )


def test_partner_bus_name_rejected(events):
    name = "aws.partner/example.com/123/orders"
    with pytest.raises(ClientError) as e:
        grant(events, "s", OTHER, EventBusName=name)
    assert error(e) == validation(
        item(name, "eventBusName", r"satisfy regular expression pattern: [\.\-_A-Za-z0-9]+")
    )


def test_invalid_policy_json(events):
    with pytest.raises(ClientError) as e:
        events.put_permission(Policy="{not json")
    assert error(e) == {"Code": "ValidationException", "Message": "This policy contains invalid Json"}


def test_put_permission_without_principal(events):
    with pytest.raises(ClientError) as e:
        events.put_permission(Action="events:PutEvents", StatementId="s")
    assert error(e) == {"Code": "ValidationException", "Message": "Parameter Principal must be specified."}


def test_policy_resource_uses_client_account_and_region(make_client):
    west = make_client(region_name="eu-west-1", account_id=OTHER)
    west.put_permission(Action="events:PutEvents", Principal=ACCOUNT, StatementId="s")
    assert json.loads(west.describe_event_bus()["Policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "s",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "events:PutEvents",
                "Resource": f"arn:aws:events:eu-west-1:{OTHER}:event-bus/default",
            }
        ],
    }


def test_bus_arn_is_not_accepted_by_permission_operations(events):
    arn = bus_arn("default")
    expected = validation(
        item(arn, "eventBusName", r"satisfy regular expression pattern: [\.\-_A-Za-z0-9]+")
    )
    with pytest.raises(ClientError) as e:
        grant(events, "s", OTHER, EventBusName=arn)
    assert error(e) == expected
    with pytest.raises(ClientError) as e:
        events.remove_permission(StatementId="s", EventBusName=arn)
    assert error(e) == expected
