"""CreateConnection, DescribeConnection, ListConnections, UpdateConnection, DeleteConnection,
DeauthorizeConnection (docs/aws-facts-connections.md).

Every test calls through ``recorded``, which fails the test if any response or error of any
call holds one of the secrets given."""

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, body, error, validation
from secret_hygiene import (  # noqa: F401  (recorded is a fixture)
    API_KEY_VALUE,
    BODY_SECRET,
    CLIENT_SECRET,
    HEADER_SECRET,
    NEW_PASSWORD,
    PASSWORD,
    QUERY_SECRET,
    Recording,
    check_no_secret,
    recorded,
)

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
HEADER_PATTERN = r"^[ \t]*[^\x00-\x1F:\x7F]+([ \t]+[^\x00-\x1F:\x7F]+)*[ \t]*$"

BASIC = {"BasicAuthParameters": {"Username": "user", "Password": PASSWORD}}
API_KEY = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": API_KEY_VALUE}}
OAUTH = {
    "OAuthParameters": {
        "ClientParameters": {"ClientID": "client-id", "ClientSecret": CLIENT_SECRET},
        "AuthorizationEndpoint": "https://auth.example.com/token",
        "HttpMethod": "POST",
        "OAuthHttpParameters": {
            "HeaderParameters": [
                {"Key": "x-secret", "Value": HEADER_SECRET, "IsValueSecret": True},
                {"Key": "x-public", "Value": "visible", "IsValueSecret": False},
            ],
            "QueryStringParameters": [{"Key": "q", "Value": QUERY_SECRET, "IsValueSecret": True}],
        },
    }
}
HTTP = {
    "InvocationHttpParameters": {
        "HeaderParameters": [{"Key": "h", "Value": "plain"}],
        "BodyParameters": [{"Key": "b", "Value": BODY_SECRET, "IsValueSecret": True}],
    }
}


def connection_arn_re(name, region=REGION, account=ACCOUNT):
    return re.compile(rf"arn:aws:events:{region}:{account}:connection/{name}/{UUID}")


def not_found(name):
    return {
        "Code": "ResourceNotFoundException",
        "Message": f"Failed to describe the connection(s). Connection '{name}' does not exist.",
    }


def is_aware(value):
    return isinstance(value, datetime.datetime) and value.utcoffset() is not None


def create(client, name="conn", kind="BASIC", auth=None, **kwargs):
    auth = auth if auth is not None else {"BASIC": BASIC, "API_KEY": API_KEY}.get(kind, OAUTH)
    return client.create_connection(Name=name, AuthorizationType=kind, AuthParameters=auth, **kwargs)


# Create and describe.


@pytest.mark.parametrize("kind,state", [("BASIC", "AUTHORIZED"), ("API_KEY", "AUTHORIZED"), ("OAUTH_CLIENT_CREDENTIALS", "AUTHORIZING")])
def test_create_connection_returns_arn_state_and_times(recorded, kind, state):
    response = body(create(recorded, kind=kind))
    assert set(response) == {"ConnectionArn", "ConnectionState", "CreationTime", "LastModifiedTime"}
    assert connection_arn_re("conn").fullmatch(response["ConnectionArn"])
    assert response["ConnectionState"] == state
    assert is_aware(response["CreationTime"])
    assert response["CreationTime"] == response["LastModifiedTime"]


def test_describe_basic_connection(recorded):
    arn = create(recorded, Description="to the API")["ConnectionArn"]
    response = body(recorded.describe_connection(Name="conn"))
    for key in ("CreationTime", "LastModifiedTime", "LastAuthorizedTime"):
        assert is_aware(response.pop(key))
    secret_arn = response.pop("SecretArn")
    assert re.fullmatch(
        rf"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:events!connection/conn/{UUID}-[A-Za-z0-9]{{6}}",
        secret_arn,
    )
    assert secret_arn.split("/")[-1][:36] != arn.split("/")[-1]
    assert response == {
        "ConnectionArn": arn,
        "Name": "conn",
        "Description": "to the API",
        "ConnectionState": "AUTHORIZED",
        "AuthorizationType": "BASIC",
        "AuthParameters": {"BasicAuthParameters": {"Username": "user"}},
    }


def test_describe_api_key_connection_shows_only_the_key_name(recorded):
    create(recorded, kind="API_KEY", auth={**API_KEY, "InvocationHttpParameters": {}})
    response = recorded.describe_connection(Name="conn")
    assert response["AuthParameters"] == {
        "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key"},
        "InvocationHttpParameters": {},
    }
    assert "Description" not in response


def test_describe_oauth_connection_leaves_out_secrets(recorded):
    create(recorded, kind="OAUTH_CLIENT_CREDENTIALS")
    response = recorded.describe_connection(Name="conn")
    assert response["ConnectionState"] == "AUTHORIZING"
    assert is_aware(response["LastAuthorizedTime"])
    assert response["AuthParameters"] == {
        "OAuthParameters": {
            "ClientParameters": {"ClientID": "client-id"},
            "AuthorizationEndpoint": "https://auth.example.com/token",
            "HttpMethod": "POST",
            "OAuthHttpParameters": {
                "HeaderParameters": [
                    {"Key": "x-secret", "IsValueSecret": True},
                    {"Key": "x-public", "Value": "visible", "IsValueSecret": False},
                ],
                "QueryStringParameters": [{"Key": "q", "IsValueSecret": True}],
            },
        }
    }


def test_describe_shows_invocation_parameters_without_secret_values(recorded):
    create(recorded, auth={**BASIC, **HTTP})
    assert recorded.describe_connection(Name="conn")["AuthParameters"] == {
        "BasicAuthParameters": {"Username": "user"},
        "InvocationHttpParameters": {
            "HeaderParameters": [{"Key": "h", "Value": "plain"}],
            "BodyParameters": [{"Key": "b", "IsValueSecret": True}],
        },
    }


def test_describe_unknown_connection(recorded):
    with pytest.raises(ClientError) as e:
        recorded.describe_connection(Name="missing")
    assert error(e) == not_found("missing")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_connections_are_per_account_and_region(recorded, make_client):
    create(recorded)
    other = Recording(make_client(region_name="eu-west-1"))
    with pytest.raises(ClientError) as e:
        other.describe_connection(Name="conn")
    assert error(e) == not_found("conn")
    arn = create(other)["ConnectionArn"]
    assert connection_arn_re("conn", region="eu-west-1").fullmatch(arn)
    assert other.describe_connection(Name="conn")["SecretArn"].startswith(
        f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:events!connection/conn/"
    )
    check_no_secret(other)


def test_connection_in_china_region_uses_its_partition(make_client):
    client = Recording(make_client(region_name="cn-north-1"))
    assert create(client)["ConnectionArn"].startswith("arn:aws-cn:events:cn-north-1:")
    assert client.describe_connection(Name="conn")["SecretArn"].startswith("arn:aws-cn:secretsmanager:")
    check_no_secret(client)


# Create: errors.


def test_create_duplicate_connection(recorded):
    create(recorded)
    with pytest.raises(ClientError) as e:
        create(recorded, kind="API_KEY")
    assert error(e) == {
        "Code": "ResourceAlreadyExistsException",
        "Message": "Failed to create the connection(s). Connection 'conn' already exists.",
    }


def test_create_connection_invalid_authorization_type(recorded):
    with pytest.raises(ClientError) as e:
        recorded.create_connection(Name="conn", AuthorizationType="INVALID_AUTH_TYPE", AuthParameters={})
    assert error(e) == validation(
        "Value 'INVALID_AUTH_TYPE' at 'authorizationType' failed to satisfy constraint: Member must "
        "satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]"
    )


def test_create_connection_invalid_name(recorded):
    with pytest.raises(ClientError) as e:
        create(recorded, name="Invalid Name With Spaces!")
    assert error(e) == validation(
        "Value 'Invalid Name With Spaces!' at 'name' failed to satisfy constraint: Member must "
        r"satisfy regular expression pattern: [\.\-_A-Za-z0-9]+"
    )


def test_create_connection_without_the_block_of_its_type(recorded):
    with pytest.raises(ClientError) as e:
        create(recorded, kind="API_KEY", auth=BASIC)
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Failed to create the connection(s). Parameter ApiKeyAuthParameters must be "
        "specified for AuthorizationType API_KEY.",
    }
    with pytest.raises(ClientError) as e:
        create(recorded, kind="BASIC", auth=HTTP)
    assert error(e)["Message"] == (
        "Failed to create the connection(s). Parameter BasicAuthParameters must be specified "
        "for AuthorizationType BASIC."
    )


def test_create_connection_with_two_auth_blocks(recorded):
    with pytest.raises(ClientError) as e:
        create(recorded, auth={**BASIC, **API_KEY})
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Failed to create the connection(s). Only one of BasicAuthParameters, "
        "OAuthParameters or ApiKeyAuthParameters may be specified.",
    }
    with pytest.raises(ClientError):
        recorded.describe_connection(Name="conn")


def test_invalid_password_is_not_echoed(recorded):
    with pytest.raises(ClientError) as e:
        create(recorded, auth={"BasicAuthParameters": {"Username": "user", "Password": PASSWORD + ":"}})
    assert error(e) == validation(
        "Value at 'authParameters.basicAuthParameters.password' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {HEADER_PATTERN}"
    )


def test_too_long_secrets_are_not_echoed(recorded):
    auth = {"ApiKeyAuthParameters": {"ApiKeyName": "k" * 513, "ApiKeyValue": API_KEY_VALUE * 50}}
    with pytest.raises(ClientError) as e:
        create(recorded, kind="API_KEY", auth=auth)
    assert error(e) == validation(
        f"Value '{'k' * 513}' at 'authParameters.apiKeyAuthParameters.apiKeyName' failed to "
        "satisfy constraint: Member must have length less than or equal to 512",
        "Value at 'authParameters.apiKeyAuthParameters.apiKeyValue' failed to satisfy "
        "constraint: Member must have length less than or equal to 512",
    )


def test_invalid_client_secret_and_secret_parameter_are_not_echoed(recorded):
    auth = {
        "OAuthParameters": {
            **OAUTH["OAuthParameters"],
            "ClientParameters": {"ClientID": "id", "ClientSecret": CLIENT_SECRET + "\x01"},
        }
    }
    with pytest.raises(ClientError) as e:
        create(recorded, kind="OAUTH_CLIENT_CREDENTIALS", auth=auth)
    assert error(e)["Message"].startswith(
        "1 validation error detected: Value at "
        "'authParameters.oAuthParameters.clientParameters.clientSecret' failed to satisfy constraint"
    )


# List.


def test_list_connections(recorded):
    create(recorded, name="b-conn", kind="API_KEY")
    create(recorded, name="a-conn", kind="BASIC")
    create(recorded, name="other", kind="OAUTH_CLIENT_CREDENTIALS")
    response = body(recorded.list_connections(NamePrefix="a-"))
    (item,) = response.pop("Connections")
    assert response == {}
    for key in ("CreationTime", "LastModifiedTime", "LastAuthorizedTime"):
        assert is_aware(item.pop(key))
    assert connection_arn_re("a-conn").fullmatch(item.pop("ConnectionArn"))
    assert item == {"Name": "a-conn", "ConnectionState": "AUTHORIZED", "AuthorizationType": "BASIC"}
    names = [c["Name"] for c in recorded.list_connections()["Connections"]]
    assert names == ["a-conn", "b-conn", "other"]


def test_list_connections_by_state(recorded):
    create(recorded, name="basic")
    create(recorded, name="oauth", kind="OAUTH_CLIENT_CREDENTIALS")
    create(recorded, name="gone-soon", kind="API_KEY")
    recorded.deauthorize_connection(Name="gone-soon")
    by_state = {
        state: [c["Name"] for c in recorded.list_connections(ConnectionState=state)["Connections"]]
        for state in ("AUTHORIZED", "AUTHORIZING", "DEAUTHORIZED", "DELETING")
    }
    assert by_state == {
        "AUTHORIZED": ["basic"],
        "AUTHORIZING": ["oauth"],
        "DEAUTHORIZED": ["gone-soon"],
        "DELETING": [],
    }
    assert recorded.list_connections(NamePrefix="b", ConnectionState="AUTHORIZING")["Connections"] == []


def test_list_connections_pages(recorded):
    for i in range(5):
        create(recorded, name=f"conn-{i}")
    first = recorded.list_connections(Limit=2)
    second = recorded.list_connections(Limit=2, NextToken=first["NextToken"])
    third = recorded.list_connections(Limit=2, NextToken=second["NextToken"])
    pages = [[c["Name"] for c in p["Connections"]] for p in (first, second, third)]
    assert pages == [["conn-0", "conn-1"], ["conn-2", "conn-3"], ["conn-4"]]
    assert "NextToken" not in third


def test_list_connections_empty_and_bad_token(recorded):
    assert body(recorded.list_connections()) == {"Connections": []}
    with pytest.raises(ClientError) as e:
        recorded.list_connections(NextToken="not-a-token")
    assert error(e) == {"Code": "ValidationException", "Message": "The NextToken provided is invalid."}


def test_list_connections_invalid_state(recorded):
    with pytest.raises(ClientError) as e:
        recorded.list_connections(ConnectionState="READY")
    assert error(e)["Message"] == (
        "1 validation error detected: Value 'READY' at 'connectionState' failed to satisfy "
        "constraint: Member must satisfy enum value set: [CREATING, UPDATING, DELETING, "
        "AUTHORIZED, DEAUTHORIZED, AUTHORIZING, DEAUTHORIZING, ACTIVE, FAILED_CONNECTIVITY]"
    )


# Update.


def test_update_connection_credentials(recorded):
    created = create(recorded, auth={**BASIC, "InvocationHttpParameters": {}})
    before = recorded.describe_connection(Name="conn")
    response = body(
        recorded.update_connection(
            Name="conn",
            AuthorizationType="BASIC",
            AuthParameters={"BasicAuthParameters": {"Username": "new_user", "Password": NEW_PASSWORD}},
        )
    )
    assert set(response) == {
        "ConnectionArn",
        "ConnectionState",
        "CreationTime",
        "LastModifiedTime",
        "LastAuthorizedTime",
    }
    assert response["ConnectionArn"] == created["ConnectionArn"]
    assert response["ConnectionState"] == "AUTHORIZED"
    assert response["CreationTime"] == created["CreationTime"]
    after = recorded.describe_connection(Name="conn")
    assert after["AuthParameters"] == {
        "BasicAuthParameters": {"Username": "new_user"},
        "InvocationHttpParameters": {},
    }
    assert after["SecretArn"] == before["SecretArn"]
    assert after["LastModifiedTime"] >= before["LastModifiedTime"]


def test_update_description_only_keeps_the_rest(recorded):
    create(recorded, kind="API_KEY")
    recorded.update_connection(Name="conn", Description="new")
    response = recorded.describe_connection(Name="conn")
    assert response["Description"] == "new"
    assert response["AuthParameters"] == {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key"}}
    assert response["ConnectionState"] == "AUTHORIZED"


def test_update_one_member_of_a_block(recorded):
    create(recorded)
    recorded.update_connection(Name="conn", AuthParameters={"BasicAuthParameters": {"Password": NEW_PASSWORD}})
    response = recorded.describe_connection(Name="conn")
    assert response["AuthParameters"] == {"BasicAuthParameters": {"Username": "user"}}


def test_update_to_another_authorization_type(recorded):
    create(recorded)
    response = recorded.update_connection(
        Name="conn", AuthorizationType="OAUTH_CLIENT_CREDENTIALS", AuthParameters=OAUTH
    )
    assert response["ConnectionState"] == "AUTHORIZING"
    described = recorded.describe_connection(Name="conn")
    assert described["AuthorizationType"] == "OAUTH_CLIENT_CREDENTIALS"
    assert list(described["AuthParameters"]) == ["OAuthParameters"]


def test_update_to_another_type_needs_its_whole_block(recorded):
    create(recorded)
    with pytest.raises(ClientError) as e:
        recorded.update_connection(Name="conn", AuthorizationType="API_KEY")
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Failed to update the connection(s). Parameter ApiKeyAuthParameters must be "
        "specified for AuthorizationType API_KEY.",
    }
    with pytest.raises(ClientError) as e:
        recorded.update_connection(
            Name="conn", AuthorizationType="API_KEY", AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k"}}
        )
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Failed to update the connection(s). Parameter(s) "
        "ApiKeyAuthParameters.ApiKeyValue must be specified.",
    }
    assert recorded.describe_connection(Name="conn")["AuthorizationType"] == "BASIC"


def test_update_with_the_block_of_another_type(recorded):
    create(recorded)
    with pytest.raises(ClientError) as e:
        recorded.update_connection(Name="conn", AuthParameters=API_KEY)
    assert error(e)["Message"] == (
        "Failed to update the connection(s). Parameter BasicAuthParameters must be specified "
        "for AuthorizationType BASIC."
    )


def test_update_unknown_connection(recorded):
    with pytest.raises(ClientError) as e:
        recorded.update_connection(Name="missing", Description="d")
    assert error(e) == not_found("missing")


# Deauthorize.


def test_deauthorize_connection(recorded):
    created = create(recorded)
    described = recorded.describe_connection(Name="conn")
    response = body(recorded.deauthorize_connection(Name="conn"))
    assert response["ConnectionState"] == "DEAUTHORIZING"
    assert response["ConnectionArn"] == created["ConnectionArn"]
    assert response["LastAuthorizedTime"] == described["LastAuthorizedTime"]
    assert set(response) == {
        "ConnectionArn",
        "ConnectionState",
        "CreationTime",
        "LastModifiedTime",
        "LastAuthorizedTime",
    }
    after = recorded.describe_connection(Name="conn")
    assert after["ConnectionState"] == "DEAUTHORIZED"
    assert after["AuthParameters"] == {"BasicAuthParameters": {"Username": "user"}}


def test_reauthorize_after_deauthorize_needs_the_secret_again(recorded):
    create(recorded)
    recorded.deauthorize_connection(Name="conn")
    with pytest.raises(ClientError) as e:
        recorded.update_connection(Name="conn", AuthParameters={"BasicAuthParameters": {"Username": "u2"}})
    assert error(e)["Message"] == (
        "Failed to update the connection(s). Parameter(s) BasicAuthParameters.Password must be specified."
    )
    response = recorded.update_connection(
        Name="conn", AuthParameters={"BasicAuthParameters": {"Password": NEW_PASSWORD}}
    )
    assert response["ConnectionState"] == "AUTHORIZED"
    assert recorded.describe_connection(Name="conn")["ConnectionState"] == "AUTHORIZED"


def test_deauthorize_unknown_connection(recorded):
    with pytest.raises(ClientError) as e:
        recorded.deauthorize_connection(Name="missing")
    assert error(e) == not_found("missing")


# Delete.


def test_delete_connection(recorded):
    created = create(recorded, kind="API_KEY")
    response = body(recorded.delete_connection(Name="conn"))
    assert response["ConnectionState"] == "DELETING"
    assert response["ConnectionArn"] == created["ConnectionArn"]
    assert response["CreationTime"] == created["CreationTime"]
    assert is_aware(response["LastAuthorizedTime"])
    assert is_aware(response["LastModifiedTime"])
    with pytest.raises(ClientError) as e:
        recorded.describe_connection(Name="conn")
    assert error(e) == not_found("conn")
    assert recorded.list_connections()["Connections"] == []


def test_delete_unknown_connection(recorded):
    with pytest.raises(ClientError) as e:
        recorded.delete_connection(Name="missing")
    assert error(e) == not_found("missing")


def test_recreated_connection_gets_a_new_arn(recorded):
    first = create(recorded)["ConnectionArn"]
    recorded.delete_connection(Name="conn")
    second = create(recorded)["ConnectionArn"]
    assert first != second


def test_client_side_validation_does_not_reach_the_engine(recorded):
    from botocore.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError):
        recorded.create_connection(Name="conn", AuthorizationType="BASIC")


def test_reset_forgets_connections(recorded, backend):
    create(recorded)
    backend.reset()
    assert recorded.list_connections()["Connections"] == []


def test_the_recorder_sees_every_call(recorded):
    create(recorded)
    recorded.describe_connection(Name="conn")
    with pytest.raises(ClientError):
        recorded.describe_connection(Name="missing")
    assert [name for name, _, _ in recorded.seen] == [
        "create_connection",
        "describe_connection",
        "describe_connection",
    ]
    leaky = Recording(recorded)
    leaky.seen.append(("planted", {"Password": PASSWORD}, None))
    with pytest.raises(AssertionError):
        check_no_secret(leaky)
