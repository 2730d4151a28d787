"""CreateApiDestination, DescribeApiDestination, ListApiDestinations, UpdateApiDestination,
DeleteApiDestination (docs/aws-facts-connections.md).

Every test calls through ``recorded``, which fails the test if any response or error of any
call holds one of the secrets given to the connections."""

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, body, error, validation
from secret_hygiene import API_KEY_VALUE, CLIENT_SECRET, PASSWORD, recorded  # noqa: F401

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
ENDPOINT = "https://api.example.com/orders"

AUTH = {
    "BASIC": {"BasicAuthParameters": {"Username": "user", "Password": PASSWORD}},
    "API_KEY": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": API_KEY_VALUE}},
    "OAUTH_CLIENT_CREDENTIALS": {
        "OAuthParameters": {
            "ClientParameters": {"ClientID": "client-id", "ClientSecret": CLIENT_SECRET},
            "AuthorizationEndpoint": "https://auth.example.com/token",
            "HttpMethod": "POST",
        }
    },
}


def connection(client, name="conn", kind="BASIC"):
    return client.create_connection(Name=name, AuthorizationType=kind, AuthParameters=AUTH[kind])[
        "ConnectionArn"
    ]


def destination(client, connection_arn, name="dest", **kwargs):
    kwargs.setdefault("InvocationEndpoint", ENDPOINT)
    kwargs.setdefault("HttpMethod", "POST")
    return client.create_api_destination(Name=name, ConnectionArn=connection_arn, **kwargs)


def not_found(name, verb="describe"):
    return {
        "Code": "ResourceNotFoundException",
        "Message": f"Failed to {verb} the api-destination(s). An api-destination '{name}' does not exist.",
    }


def is_aware(value):
    return isinstance(value, datetime.datetime) and value.utcoffset() is not None


def without_times(d):
    for key in ("CreationTime", "LastModifiedTime"):
        assert is_aware(d.pop(key))
    return d


@pytest.mark.parametrize(
    "kind,state",
    [("BASIC", "ACTIVE"), ("API_KEY", "ACTIVE"), ("OAUTH_CLIENT_CREDENTIALS", "INACTIVE")],
)
def test_api_destination_lifecycle(recorded, kind, state):
    conn = connection(recorded, kind=kind)
    created = body(destination(recorded, conn, Description="Orders API"))
    arn = created["ApiDestinationArn"]
    assert re.fullmatch(rf"arn:aws:events:{REGION}:{ACCOUNT}:api-destination/dest/{UUID}", arn)
    assert without_times(dict(created)) == {"ApiDestinationArn": arn, "ApiDestinationState": state}
    assert created["CreationTime"] == created["LastModifiedTime"]

    described = without_times(body(recorded.describe_api_destination(Name="dest")))
    assert described == {
        "ApiDestinationArn": arn,
        "Name": "dest",
        "Description": "Orders API",
        "ApiDestinationState": state,
        "ConnectionArn": conn,
        "InvocationEndpoint": ENDPOINT,
        "HttpMethod": "POST",
        "InvocationRateLimitPerSecond": 300,
    }

    listed = body(recorded.list_api_destinations(NamePrefix="dest"))
    (item,) = listed.pop("ApiDestinations")
    assert listed == {}
    expected = dict(described)
    del expected["Description"]  # list items carry none
    assert without_times(item) == expected

    updated = body(
        recorded.update_api_destination(
            Name="dest",
            ConnectionArn=conn,
            HttpMethod="PUT",
            InvocationEndpoint=ENDPOINT + "/v2",
            Description="Updated",
        )
    )
    assert set(updated) == {"ApiDestinationArn", "ApiDestinationState", "CreationTime", "LastModifiedTime"}
    assert updated["ApiDestinationState"] == state
    assert updated["CreationTime"] == created["CreationTime"]
    after = without_times(body(recorded.describe_api_destination(Name="dest")))
    assert after == {
        **described,
        "HttpMethod": "PUT",
        "InvocationEndpoint": ENDPOINT + "/v2",
        "Description": "Updated",
    }

    assert body(recorded.delete_api_destination(Name="dest")) == {}
    with pytest.raises(ClientError) as e:
        recorded.describe_api_destination(Name="dest")
    assert error(e) == not_found("dest")


def test_create_with_rate_limit(recorded):
    conn = connection(recorded)
    destination(recorded, conn, InvocationRateLimitPerSecond=20)
    assert recorded.describe_api_destination(Name="dest")["InvocationRateLimitPerSecond"] == 20
    recorded.update_api_destination(Name="dest", InvocationRateLimitPerSecond=5)
    response = recorded.describe_api_destination(Name="dest")
    assert response["InvocationRateLimitPerSecond"] == 5
    assert "Description" not in response


def test_state_follows_the_connection(recorded):
    conn = connection(recorded)
    destination(recorded, conn)
    recorded.deauthorize_connection(Name="conn")
    assert recorded.describe_api_destination(Name="dest")["ApiDestinationState"] == "INACTIVE"
    recorded.update_connection(Name="conn", AuthParameters=AUTH["BASIC"])
    assert recorded.describe_api_destination(Name="dest")["ApiDestinationState"] == "ACTIVE"
    recorded.delete_connection(Name="conn")
    assert recorded.describe_api_destination(Name="dest")["ApiDestinationState"] == "INACTIVE"
    # A new connection with the old name is another connection.
    connection(recorded)
    assert recorded.describe_api_destination(Name="dest")["ApiDestinationState"] == "INACTIVE"


def test_update_moves_to_another_connection(recorded):
    oauth = connection(recorded, name="oauth", kind="OAUTH_CLIENT_CREDENTIALS")
    basic = connection(recorded, name="basic")
    destination(recorded, oauth)
    response = recorded.update_api_destination(Name="dest", ConnectionArn=basic)
    assert response["ApiDestinationState"] == "ACTIVE"
    assert recorded.describe_api_destination(Name="dest")["ConnectionArn"] == basic


def test_create_duplicate_api_destination(recorded):
    conn = connection(recorded)
    destination(recorded, conn)
    with pytest.raises(ClientError) as e:
        destination(recorded, conn)
    assert error(e) == {
        "Code": "ResourceAlreadyExistsException",
        "Message": "Failed to create the api-destination(s). An api-destination 'dest' already exists.",
    }


def test_create_with_unknown_connection(recorded):
    conn = connection(recorded)
    recorded.delete_connection(Name="conn")
    with pytest.raises(ClientError) as e:
        destination(recorded, conn)
    assert error(e) == {
        "Code": "ResourceNotFoundException",
        "Message": f"Failed to create the api-destination(s). Connection '{conn}' does not exist.",
    }
    assert recorded.list_api_destinations()["ApiDestinations"] == []


def test_create_with_connection_of_another_region(recorded, make_client):
    other = make_client(region_name="eu-west-1")
    conn = connection(other)
    with pytest.raises(ClientError) as e:
        destination(recorded, conn)
    assert error(e)["Code"] == "ResourceNotFoundException"


def test_update_with_unknown_connection(recorded):
    conn = connection(recorded)
    destination(recorded, conn)
    missing = conn.replace("connection/conn/", "connection/gone/")
    with pytest.raises(ClientError) as e:
        recorded.update_api_destination(Name="dest", ConnectionArn=missing, HttpMethod="GET")
    assert error(e) == {
        "Code": "ResourceNotFoundException",
        "Message": f"Failed to update the api-destination(s). Connection '{missing}' does not exist.",
    }
    described = recorded.describe_api_destination(Name="dest")
    assert described["ConnectionArn"] == conn
    assert described["HttpMethod"] == "POST"


def test_unknown_api_destination(recorded):
    with pytest.raises(ClientError) as e:
        recorded.describe_api_destination(Name="missing")
    assert error(e) == not_found("missing")
    with pytest.raises(ClientError) as e:
        recorded.update_api_destination(Name="missing", HttpMethod="GET")
    assert error(e) == not_found("missing", "update")
    with pytest.raises(ClientError) as e:
        recorded.delete_api_destination(Name="missing")
    assert error(e) == not_found("missing", "delete")


def test_create_api_destination_invalid_parameters(recorded):
    with pytest.raises(ClientError) as e:
        recorded.create_api_destination(
            Name="dest",
            ConnectionArn="invalid-connection-arn",
            HttpMethod="INVALID_METHOD",
            InvocationEndpoint="invalid-endpoint",
        )
    message = error(e)["Message"]
    assert message.startswith(
        "2 validation errors detected: Value 'invalid-connection-arn' at 'connectionArn' failed to "
        r"satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws([a-z]|\-)*:events:"
        r"([a-z]|\d|\-)*:([0-9]{12})?:connection\/[\.\-_A-Za-z0-9]+\/[\-A-Za-z0-9]+$; "
        "Value 'INVALID_METHOD' at 'httpMethod' failed to satisfy constraint: Member must satisfy "
        "enum value set: ["
    )


def test_create_api_destination_invalid_name(recorded):
    conn = connection(recorded)
    with pytest.raises(ClientError) as e:
        destination(recorded, conn, name="Invalid Name With Spaces!")
    assert error(e) == validation(
        "Value 'Invalid Name With Spaces!' at 'name' failed to satisfy constraint: Member must "
        r"satisfy regular expression pattern: [\.\-_A-Za-z0-9]+"
    )


def test_list_api_destinations_filters_and_pages(recorded):
    first = connection(recorded, name="first")
    second = connection(recorded, name="second", kind="API_KEY")
    for i in range(3):
        destination(recorded, first, name=f"a-{i}")
    destination(recorded, second, name="b-0")
    by_connection = recorded.list_api_destinations(ConnectionArn=second)["ApiDestinations"]
    assert [d["Name"] for d in by_connection] == ["b-0"]
    both = recorded.list_api_destinations(ConnectionArn=first, NamePrefix="a-1")["ApiDestinations"]
    assert [d["Name"] for d in both] == ["a-1"]
    page1 = recorded.list_api_destinations(Limit=3)
    page2 = recorded.list_api_destinations(Limit=3, NextToken=page1["NextToken"])
    assert [d["Name"] for d in page1["ApiDestinations"]] == ["a-0", "a-1", "a-2"]
    assert [d["Name"] for d in page2["ApiDestinations"]] == ["b-0"]
    assert "NextToken" not in page2
    assert body(recorded.list_api_destinations(NamePrefix="zzz")) == {"ApiDestinations": []}


def test_api_destinations_are_per_region(recorded, make_client):
    conn = connection(recorded)
    destination(recorded, conn)
    other = make_client(region_name="eu-west-1")
    assert other.list_api_destinations()["ApiDestinations"] == []
