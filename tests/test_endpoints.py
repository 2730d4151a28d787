"""Global endpoints: their lifecycle, AWS's checks, and PutEvents through an endpoint."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, body, bus_arn, error, item, validation

HEALTH_CHECK = "arn:aws:route53:::healthcheck/7f4243fa-ce7e-493b-b3de-4d2058e52ce7"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/Amazon_EventBridge_Invoke_Event_Bus"
PRIMARY = "us-east-1"
SECONDARY = "us-west-2"


def routing(route=SECONDARY):
    return {"FailoverConfig": {"Primary": {"HealthCheck": HEALTH_CHECK}, "Secondary": {"Route": route}}}


def buses(name="orders", regions=(PRIMARY, SECONDARY)):
    return [{"EventBusArn": bus_arn(name, region=r)} for r in regions]


def create(client, name="global", **overrides):
    args = {
        "Name": name,
        "RoutingConfig": routing(),
        "EventBuses": buses(),
        "RoleArn": ROLE,
    }
    args.update(overrides)
    return client.create_endpoint(**{k: v for k, v in args.items() if v is not None})


def test_create_endpoint_answers_creating(events):
    resp = body(create(events, ReplicationConfig={"State": "ENABLED"}))
    assert resp == {
        "Name": "global",
        "Arn": f"arn:aws:events:{PRIMARY}:{ACCOUNT}:endpoint/global",
        "RoutingConfig": routing(),
        "ReplicationConfig": {"State": "ENABLED"},
        "EventBuses": buses(),
        "RoleArn": ROLE,
        "State": "CREATING",
    }


def test_describe_endpoint_after_create(events):
    create(events, Description="orders everywhere")
    d = body(events.describe_endpoint(Name="global"))
    assert d["State"] == "ACTIVE"
    assert re.fullmatch(r"[a-z0-9]{10}\.veo", d["EndpointId"])
    assert d["EndpointUrl"] == f"https://{d['EndpointId']}.endpoint.events.amazonaws.com"
    assert d["ReplicationConfig"] == {"State": "ENABLED"}  # the default
    assert isinstance(d["CreationTime"], datetime.datetime)
    assert d["LastModifiedTime"] == d["CreationTime"]
    assert {k: d[k] for k in ("Name", "Description", "Arn", "RoutingConfig", "EventBuses", "RoleArn")} == {
        "Name": "global",
        "Description": "orders everywhere",
        "Arn": f"arn:aws:events:{PRIMARY}:{ACCOUNT}:endpoint/global",
        "RoutingConfig": routing(),
        "EventBuses": buses(),
        "RoleArn": ROLE,
    }
    assert "StateReason" not in d


def test_endpoint_ids_differ(events):
    create(events, name="a")
    create(events, name="b")
    ids = {events.describe_endpoint(Name=n)["EndpointId"] for n in ("a", "b")}
    assert len(ids) == 2


def test_create_twice_is_refused(events):
    create(events)
    with pytest.raises(ClientError) as e:
        create(events)
    assert error(e) == {"Code": "ResourceAlreadyExistsException", "Message": "Endpoint global already exists."}


@pytest.mark.parametrize("op", ["describe_endpoint", "delete_endpoint", "update_endpoint"])
def test_unknown_endpoint(events, op):
    with pytest.raises(ClientError) as e:
        getattr(events, op)(Name="nope")
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": "Endpoint nope does not exist."}


def test_delete_endpoint(events):
    create(events)
    assert body(events.delete_endpoint(Name="global")) == {}
    assert events.list_endpoints()["Endpoints"] == []


def test_list_endpoints_with_prefix_home_region_and_pages(events, make_client):
    for n in ("alpha", "beta", "bravo"):
        create(events, name=n)
    create(make_client(region_name=SECONDARY), name="west", RoutingConfig=routing(PRIMARY))
    listed = events.list_endpoints()["Endpoints"]
    assert [e["Name"] for e in listed] == ["alpha", "beta", "bravo"]
    assert listed[0] == body(events.describe_endpoint(Name="alpha"))
    assert [e["Name"] for e in events.list_endpoints(NamePrefix="b")["Endpoints"]] == ["beta", "bravo"]
    assert [e["Name"] for e in events.list_endpoints(HomeRegion=SECONDARY)["Endpoints"]] == ["west"]
    assert events.describe_endpoint(Name="west", HomeRegion=SECONDARY)["Name"] == "west"
    page = events.list_endpoints(MaxResults=2)
    assert [e["Name"] for e in page["Endpoints"]] == ["alpha", "beta"]
    rest = events.list_endpoints(MaxResults=2, NextToken=page["NextToken"])
    assert [e["Name"] for e in rest["Endpoints"]] == ["bravo"] and "NextToken" not in rest


def test_update_endpoint(events, backend):
    create(events)
    before = events.describe_endpoint(Name="global")
    resp = body(events.update_endpoint(Name="global", Description="now described", ReplicationConfig={"State": "DISABLED"}))
    assert resp == {
        "Name": "global",
        "Arn": before["Arn"],
        "RoutingConfig": routing(),
        "ReplicationConfig": {"State": "DISABLED"},
        "EventBuses": buses(),
        "RoleArn": ROLE,
        "EndpointId": before["EndpointId"],
        "EndpointUrl": before["EndpointUrl"],
        "State": "ACTIVE",
    }
    after = events.describe_endpoint(Name="global")
    assert after["Description"] == "now described"
    assert after["LastModifiedTime"] >= before["LastModifiedTime"]
    assert after["CreationTime"] == before["CreationTime"]


def test_update_endpoint_checks_the_result(events):
    create(events)
    with pytest.raises(ClientError) as e:
        events.update_endpoint(Name="global", EventBuses=buses(regions=(PRIMARY, PRIMARY)))
    assert error(e)["Message"] == (
        "Parameter EventBuses is not valid. Reason: Event buses must be in different Regions."
    )
    assert events.describe_endpoint(Name="global")["EventBuses"] == buses()


def test_buses_must_be_in_different_regions(events):
    with pytest.raises(ClientError) as e:
        create(events, EventBuses=buses(regions=(PRIMARY, PRIMARY)))
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Parameter EventBuses is not valid. Reason: Event buses must be in different Regions.",
    }


def test_buses_must_share_a_name(events):
    with pytest.raises(ClientError) as e:
        create(events, EventBuses=[{"EventBusArn": bus_arn("a")}, {"EventBusArn": bus_arn("b", region=SECONDARY)}])
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Parameter EventBuses is not valid. Reason: Event bus names must be identical in each Region.",
    }


def test_buses_must_be_the_callers(events):
    with pytest.raises(ClientError) as e:
        create(events, EventBuses=[{"EventBusArn": bus_arn("o", account="210987654321")}, {"EventBusArn": bus_arn("o", region=SECONDARY)}])
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Parameter EventBuses is not valid. Reason: Event buses must belong to the caller's account.",
    }


def test_secondary_route_must_be_a_bus_region(events):
    with pytest.raises(ClientError) as e:
        create(events, RoutingConfig=routing("eu-west-1"))
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Parameter RoutingConfig.FailoverConfig.Secondary.Route is not valid. "
        "Reason: Region eu-west-1 is not the Region of one of the event buses.",
    }


def test_replication_needs_a_role(events):
    with pytest.raises(ClientError) as e:
        create(events, RoleArn=None)
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Parameter RoleArn is not valid. Reason: RoleArn is required when event replication is enabled.",
    }
    resp = create(events, RoleArn=None, ReplicationConfig={"State": "DISABLED"})
    assert "RoleArn" not in resp


def test_exactly_two_buses(events):
    from botocore.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError):  # botocore checks the minimum itself
        create(events, EventBuses=buses()[:1])
    with pytest.raises(ClientError) as e:
        create(events, EventBuses=buses(regions=(PRIMARY, SECONDARY, "eu-west-1")))
    assert error(e)["Code"] == "ValidationException"
    assert error(e)["Message"].startswith("1 validation error detected: Value '")
    assert error(e)["Message"].endswith(
        "at 'eventBuses' failed to satisfy constraint: Member must have length less than or equal to 2"
    )


def test_model_patterns_are_checked(events):
    with pytest.raises(ClientError) as e:
        create(events, RoutingConfig={"FailoverConfig": {"Primary": {"HealthCheck": "hc"}, "Secondary": {"Route": SECONDARY}}})
    pattern = r"^arn:aws([a-z]|\-)*:route53:::healthcheck/[\-a-z0-9]+$"
    assert error(e) == validation(
        item("hc", "routingConfig.failoverConfig.primary.healthCheck", f"satisfy regular expression pattern: {pattern}")
    )


def test_put_events_through_an_endpoint_reaches_the_primary_bus(events, make_client):
    west = make_client(region_name=SECONDARY)
    for client in (events, west):
        client.create_event_bus(Name="orders")
        client.put_rule(Name="all", EventBusName="orders", EventPattern=json.dumps({"source": ["shop"]}))
        client.put_targets(
            Rule="all",
            EventBusName="orders",
            Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{client.meta.region_name}:{ACCOUNT}:q"}],
        )
    create(events, ReplicationConfig={"State": "DISABLED"})
    endpoint_id = events.describe_endpoint(Name="global")["EndpointId"]
    # Called from the secondary region's client, the event still goes to the primary bus.
    resp = west.put_events(
        EndpointId=endpoint_id,
        Entries=[{"Source": "shop", "DetailType": "d", "Detail": "{}", "EventBusName": "orders"}],
    )
    assert resp["FailedEntryCount"] == 0
    (d,) = events.deliveries
    assert (d.region, d.event_bus_name) == (PRIMARY, "orders")
    assert d.event["region"] == PRIMARY


def test_replication_sends_a_copy_to_the_secondary_bus(events, make_client):
    west = make_client(region_name=SECONDARY)
    for client in (events, west):
        client.create_event_bus(Name="orders")
        client.put_rule(Name="all", EventBusName="orders", EventPattern=json.dumps({"source": ["shop"]}))
        client.put_targets(Rule="all", EventBusName="orders", Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{PRIMARY}:{ACCOUNT}:q"}])
    create(events)
    endpoint_id = events.describe_endpoint(Name="global")["EndpointId"]
    resp = events.put_events(
        EndpointId=endpoint_id,
        Entries=[{"Source": "shop", "DetailType": "d", "Detail": "{}", "EventBusName": "orders"}],
    )
    assert sorted(d.region for d in events.deliveries) == [PRIMARY, SECONDARY]
    assert {d.event["id"] for d in events.deliveries} == {resp["Entries"][0]["EventId"]}


def test_put_events_with_an_unknown_endpoint(events):
    with pytest.raises(ClientError) as e:
        events.put_events(EndpointId="abcde12345.veo", Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}"}])
    assert error(e) == {
        "Code": "ResourceNotFoundException",
        "Message": "Endpoint with id abcde12345.veo does not exist.",
    }
