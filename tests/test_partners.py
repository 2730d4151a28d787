"""Partner event sources, from the partner's account and from the customer's."""

from __future__ import annotations

import datetime
import json

import pytest
from botocore.exceptions import ClientError

from conftest import body, error, item, validation

PARTNER = "111111111111"
CUSTOMER = "123456789012"
REGION = "us-east-1"
SOURCE = "aws.partner/example.com/tenant-1/orders"
SOURCE_ARN = f"arn:aws:events:{REGION}::event-source/{SOURCE}"
QUEUE = f"arn:aws:sqs:{REGION}:{CUSTOMER}:partner-orders"
SOURCE_PATTERN = r"aws\.partner(/[\.\-_A-Za-z0-9]+){2,}"


@pytest.fixture
def partner(make_client):
    return make_client(account_id=PARTNER)


@pytest.fixture
def customer(events):
    return events


def offer(partner, name=SOURCE, account=CUSTOMER):
    return partner.create_partner_event_source(Name=name, Account=account)


def entry(**overrides):
    e = {"Source": SOURCE, "DetailType": "Order Created", "Detail": json.dumps({"id": 1})}
    e.update(overrides)
    return {k: v for k, v in e.items() if v is not None}


def subscribe(customer, bus=SOURCE):
    customer.put_rule(Name="partner-orders", EventBusName=bus, EventPattern=json.dumps({"source": [SOURCE]}))
    customer.put_targets(Rule="partner-orders", EventBusName=bus, Targets=[{"Id": "q", "Arn": QUEUE}])


# The partner's side.


def test_create_partner_event_source_returns_its_arn(partner):
    assert body(offer(partner)) == {"EventSourceArn": SOURCE_ARN}


def test_describe_and_list_partner_event_sources(partner):
    offer(partner)
    offer(partner, name="aws.partner/example.com/tenant-2/orders", account="222222222222")
    assert body(partner.describe_partner_event_source(Name=SOURCE)) == {"Arn": SOURCE_ARN, "Name": SOURCE}
    listed = partner.list_partner_event_sources(NamePrefix="aws.partner/example.com/")
    assert [s["Name"] for s in listed["PartnerEventSources"]] == [
        SOURCE,
        "aws.partner/example.com/tenant-2/orders",
    ]
    assert list(listed["PartnerEventSources"][0]) == ["Arn", "Name"]
    only = partner.list_partner_event_sources(NamePrefix="aws.partner/example.com/tenant-2")
    assert [s["Name"] for s in only["PartnerEventSources"]] == ["aws.partner/example.com/tenant-2/orders"]
    paged = partner.list_partner_event_sources(NamePrefix="aws.partner/example.com/", Limit=1)
    assert len(paged["PartnerEventSources"]) == 1 and "NextToken" in paged
    rest = partner.list_partner_event_sources(NamePrefix="aws.partner/example.com/", NextToken=paged["NextToken"])
    assert [s["Name"] for s in rest["PartnerEventSources"]] == ["aws.partner/example.com/tenant-2/orders"]
    assert "NextToken" not in rest


def test_partner_sources_are_the_partners_own(partner, customer):
    offer(partner)
    assert customer.list_partner_event_sources(NamePrefix="aws.partner/example.com/")["PartnerEventSources"] == []
    with pytest.raises(ClientError) as e:
        customer.describe_partner_event_source(Name=SOURCE)
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": f"Event source {SOURCE} does not exist."}


def test_create_twice_is_refused(partner):
    offer(partner)
    with pytest.raises(ClientError) as e:
        offer(partner, account="222222222222")
    assert error(e) == {"Code": "ResourceAlreadyExistsException", "Message": f"Event source {SOURCE} already exists."}


@pytest.mark.parametrize("name", ["aws.partner/only-one", "partner/example.com/x", "aws.partner.example.com/x/y"])
def test_source_names_follow_the_partner_pattern(partner, name):
    with pytest.raises(ClientError) as e:
        partner.create_partner_event_source(Name=name, Account=CUSTOMER)
    assert error(e) == validation(item(name, "name", f"satisfy regular expression pattern: {SOURCE_PATTERN}"))


def test_account_must_be_twelve_digits(partner):
    with pytest.raises(ClientError) as e:
        partner.create_partner_event_source(Name=SOURCE, Account="12345678901x")
    assert error(e) == validation(item("12345678901x", "account", r"satisfy regular expression pattern: \d{12}"))


def test_list_partner_event_source_accounts_follows_the_customer(partner, customer):
    offer(partner)
    (acct,) = partner.list_partner_event_source_accounts(EventSourceName=SOURCE)["PartnerEventSourceAccounts"]
    assert acct["Account"] == CUSTOMER and acct["State"] == "PENDING"
    assert isinstance(acct["CreationTime"], datetime.datetime)
    assert acct["ExpirationTime"] > acct["CreationTime"]
    customer.create_event_bus(Name=SOURCE, EventSourceName=SOURCE)
    (acct,) = partner.list_partner_event_source_accounts(EventSourceName=SOURCE)["PartnerEventSourceAccounts"]
    assert acct["State"] == "ACTIVE" and "ExpirationTime" not in acct


def test_list_partner_event_source_accounts_of_unknown_source(partner):
    with pytest.raises(ClientError) as e:
        partner.list_partner_event_source_accounts(EventSourceName=SOURCE)
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": f"Event source {SOURCE} does not exist."}


def test_delete_partner_event_source_is_idempotent(partner, customer):
    offer(partner)
    assert body(partner.delete_partner_event_source(Name=SOURCE, Account=CUSTOMER)) == {}
    assert body(partner.delete_partner_event_source(Name=SOURCE, Account=CUSTOMER)) == {}
    assert customer.list_event_sources()["EventSources"] == []
    with pytest.raises(ClientError):
        partner.describe_partner_event_source(Name=SOURCE)


def test_delete_for_another_account_leaves_the_source(partner, customer):
    offer(partner)
    partner.delete_partner_event_source(Name=SOURCE, Account="222222222222")
    assert partner.describe_partner_event_source(Name=SOURCE)["Name"] == SOURCE
    assert customer.describe_event_source(Name=SOURCE)["State"] == "PENDING"


# The customer's side.


def test_the_customer_sees_a_pending_source(partner, customer):
    offer(partner)
    s = body(customer.describe_event_source(Name=SOURCE))
    assert set(s) == {"Arn", "CreatedBy", "CreationTime", "ExpirationTime", "Name", "State"}
    assert s["Arn"] == SOURCE_ARN and s["Name"] == SOURCE and s["State"] == "PENDING"
    assert s["CreatedBy"] == "example.com"
    assert customer.list_event_sources()["EventSources"] == [s]
    assert customer.list_event_sources(NamePrefix="aws.partner/example.com")["EventSources"] == [s]
    assert customer.list_event_sources(NamePrefix="aws.partner/other")["EventSources"] == []


def test_sources_are_regional_and_per_account(partner, customer, make_client):
    offer(partner)
    assert make_client(region_name="eu-west-1").list_event_sources()["EventSources"] == []
    assert make_client(account_id="222222222222").list_event_sources()["EventSources"] == []


def test_describe_unknown_event_source(customer):
    with pytest.raises(ClientError) as e:
        customer.describe_event_source(Name=SOURCE)
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": f"Event source {SOURCE} does not exist."}


def test_partner_bus_lifecycle(partner, customer):
    offer(partner)
    created = customer.create_event_bus(Name=SOURCE, EventSourceName=SOURCE)
    assert body(created) == {"EventBusArn": f"arn:aws:events:{REGION}:{CUSTOMER}:event-bus/{SOURCE}"}
    s = customer.describe_event_source(Name=SOURCE)
    assert s["State"] == "ACTIVE" and "ExpirationTime" not in s
    assert customer.describe_event_bus(Name=SOURCE)["Name"] == SOURCE
    customer.deactivate_event_source(Name=SOURCE)
    assert customer.describe_event_source(Name=SOURCE)["State"] == "PENDING"
    customer.deactivate_event_source(Name=SOURCE)  # again: no error
    customer.activate_event_source(Name=SOURCE)
    assert customer.describe_event_source(Name=SOURCE)["State"] == "ACTIVE"
    # Deleting the bus sends the source back to PENDING; a new bus makes it ACTIVE again.
    customer.delete_event_bus(Name=SOURCE)
    assert customer.describe_event_source(Name=SOURCE)["State"] == "PENDING"
    customer.create_event_bus(Name=SOURCE, EventSourceName=SOURCE)
    assert customer.describe_event_source(Name=SOURCE)["State"] == "ACTIVE"


def test_partner_deleting_the_source_marks_it_deleted(partner, customer):
    offer(partner)
    customer.create_event_bus(Name=SOURCE, EventSourceName=SOURCE)
    partner.delete_partner_event_source(Name=SOURCE, Account=CUSTOMER)
    assert customer.describe_event_source(Name=SOURCE)["State"] == "DELETED"
    with pytest.raises(ClientError) as e:
        customer.activate_event_source(Name=SOURCE)
    assert error(e) == {"Code": "InvalidStateException", "Message": f"Event source {SOURCE} is in state DELETED."}
    # Recreated by the partner: the bus gets its source back.
    offer(partner)
    assert customer.describe_event_source(Name=SOURCE)["State"] == "ACTIVE"
    partner.delete_partner_event_source(Name=SOURCE, Account=CUSTOMER)
    customer.delete_event_bus(Name=SOURCE)
    assert customer.list_event_sources()["EventSources"] == []


@pytest.mark.parametrize("op", ["activate_event_source", "deactivate_event_source"])
def test_activation_needs_source_and_bus(partner, customer, op):
    with pytest.raises(ClientError) as e:
        getattr(customer, op)(Name=SOURCE)
    message = f"Event source {SOURCE} or event bus {SOURCE} does not exist."
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": message}
    offer(partner)
    with pytest.raises(ClientError) as e:
        getattr(customer, op)(Name=SOURCE)
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": message}


def test_partner_bus_needs_an_offered_source(customer):
    with pytest.raises(ClientError) as e:
        customer.create_event_bus(Name=SOURCE, EventSourceName=SOURCE)
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": f"Event source {SOURCE} does not exist."}


def test_partner_bus_must_carry_the_source_name(partner, customer):
    offer(partner)
    with pytest.raises(ClientError) as e:
        customer.create_event_bus(Name="orders", EventSourceName=SOURCE)
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Event bus name must be the same as the event source name.",
    }


def test_aws_names_still_need_a_source(customer):
    with pytest.raises(ClientError) as e:
        customer.create_event_bus(Name=SOURCE)
    assert error(e) == {"Code": "ValidationException", "Message": "EventBus name starting with 'aws.' is not valid."}


def test_partner_bus_of_another_accounts_source(partner, make_client):
    offer(partner)
    other = make_client(account_id="222222222222")
    with pytest.raises(ClientError) as e:
        other.create_event_bus(Name=SOURCE, EventSourceName=SOURCE)
    assert error(e)["Code"] == "ResourceNotFoundException"


# PutPartnerEvents.


def test_put_partner_events_reach_the_customers_partner_bus(partner, customer):
    offer(partner)
    customer.create_event_bus(Name=SOURCE, EventSourceName=SOURCE)
    subscribe(customer)
    resp = partner.put_partner_events(Entries=[entry(), entry(Detail=json.dumps({"id": 2}))])
    assert resp["FailedEntryCount"] == 0
    assert [list(e) for e in resp["Entries"]] == [["EventId"], ["EventId"]]
    deliveries = list(customer.deliveries)
    assert [d.json["detail"] for d in deliveries] == [{"id": 1}, {"id": 2}]
    d = deliveries[0]
    assert (d.account, d.region, d.event_bus_name, d.target_arn) == (CUSTOMER, REGION, SOURCE, QUEUE)
    assert d.event["source"] == SOURCE and d.event["account"] == CUSTOMER
    assert d.event["id"] == resp["Entries"][0]["EventId"]


def test_put_partner_events_for_a_pending_source_are_accepted_and_dropped(partner, customer):
    offer(partner)
    resp = partner.put_partner_events(Entries=[entry()])
    assert resp["FailedEntryCount"] == 0
    customer.create_event_bus(Name=SOURCE, EventSourceName=SOURCE)
    subscribe(customer)
    customer.deactivate_event_source(Name=SOURCE)
    partner.put_partner_events(Entries=[entry()])
    assert len(customer.deliveries) == 0
    customer.activate_event_source(Name=SOURCE)
    partner.put_partner_events(Entries=[entry()])
    assert len(customer.deliveries) == 1


def test_put_partner_events_entry_errors(partner, customer):
    offer(partner)
    resp = partner.put_partner_events(
        Entries=[
            entry(Source=None),
            entry(DetailType=None),
            entry(Detail=None),
            entry(Source="aws.partner/example.com/tenant-9/unknown"),
            entry(Detail="[1]"),
            entry(),
        ]
    )
    assert resp["FailedEntryCount"] == 5
    assert resp["Entries"][:5] == [
        {"ErrorCode": "InvalidArgument", "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument."},
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
        },
        {"ErrorCode": "InvalidArgument", "ErrorMessage": "Parameter Detail is not valid. Reason: Detail is a required argument."},
        {"ErrorCode": "NotAuthorizedForSourceException", "ErrorMessage": "Not authorized for the source."},
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
    ]
    assert list(resp["Entries"][5]) == ["EventId"]


def test_only_the_owning_partner_may_put_events(partner, customer, make_client):
    offer(partner)
    customer.create_event_bus(Name=SOURCE, EventSourceName=SOURCE)
    subscribe(customer)
    intruder = make_client(account_id="333333333333")
    resp = intruder.put_partner_events(Entries=[entry()])
    assert resp["Entries"] == [
        {"ErrorCode": "NotAuthorizedForSourceException", "ErrorMessage": "Not authorized for the source."}
    ]
    assert len(customer.deliveries) == 0


def test_put_partner_events_allows_twenty_entries(partner):
    offer(partner)
    assert partner.put_partner_events(Entries=[entry()] * 20)["FailedEntryCount"] == 0
    with pytest.raises(ClientError) as e:
        partner.put_partner_events(Entries=[entry()] * 21)
    assert error(e)["Code"] == "ValidationException"
    assert error(e)["Message"].startswith("1 validation error detected: ")
    assert error(e)["Message"].endswith("at 'entries' failed to satisfy constraint: Member must have length less than or equal to 20")


def test_put_events_cannot_name_a_partner_bus(partner, customer):
    # PutEvents' EventBusName pattern has no '/', so a partner bus is out of its reach
    # (the same error is quoted from AWS in aws/aws-sdk-js-v3#3714).
    offer(partner)
    customer.create_event_bus(Name=SOURCE, EventSourceName=SOURCE)
    with pytest.raises(ClientError) as e:
        customer.put_events(Entries=[{**entry(), "EventBusName": SOURCE}])
    pattern = r"(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[\.\-_A-Za-z0-9]+"
    assert error(e) == validation(
        item(SOURCE, "entries.1.member.eventBusName", f"satisfy regular expression pattern: {pattern}")
    )
