"""With forward_targets and moto, each connection's credentials live in a Secrets Manager
secret of its account and region, as AWS keeps them (docs/aws-facts-connections.md §1.4).

EventBridge calls go through ``recorded`` clients, which fail the test if any response or
error holds one of the secrets given."""

from __future__ import annotations

import json
import re

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from eventbridge_mock import mock_events
from secret_hygiene import (
    API_KEY_VALUE,
    BODY_SECRET,
    CLIENT_SECRET,
    HEADER_SECRET,
    NEW_PASSWORD,
    PASSWORD,
    SECRETS,
    Recording,
    check_no_secret,
)

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
TAGS = [{"Key": "aws:secretsmanager:owningService", "Value": "events"}]

BASIC = {"BasicAuthParameters": {"Username": "user", "Password": PASSWORD}}
API_KEY = {
    "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": API_KEY_VALUE},
    "InvocationHttpParameters": {
        "HeaderParameters": [
            {"Key": "x-tenant", "Value": "shop"},
            {"Key": "x-signature", "Value": HEADER_SECRET, "IsValueSecret": True},
        ],
        "BodyParameters": [{"Key": "b", "Value": BODY_SECRET, "IsValueSecret": True}],
    },
}
# An authorization endpoint that may not be called: the connection stays AUTHORIZING.
OAUTH = {
    "OAuthParameters": {
        "ClientParameters": {"ClientID": "client-id", "ClientSecret": CLIENT_SECRET},
        "AuthorizationEndpoint": "https://auth.example.com/token",
        "HttpMethod": "POST",
        "OAuthHttpParameters": {"BodyParameters": [{"Key": "grant_type", "Value": "client_credentials"}]},
    }
}

SECRET_VALUES = {
    "BASIC": {"username": "user", "password": PASSWORD},
    "API_KEY": {
        "api_key_name": "x-api-key",
        "api_key_value": API_KEY_VALUE,
        "invocation_http_parameters": {
            "header_parameters": [
                {"key": "x-tenant", "value": "shop", "is_value_secret": False},
                {"key": "x-signature", "value": HEADER_SECRET, "is_value_secret": True},
            ],
            "body_parameters": [{"key": "b", "value": BODY_SECRET, "is_value_secret": True}],
        },
    },
    "OAUTH_CLIENT_CREDENTIALS": {
        "client_id": "client-id",
        "client_secret": CLIENT_SECRET,
        "authorization_endpoint": "https://auth.example.com/token",
        "http_method": "POST",
        "oauth_http_parameters": {
            "body_parameters": [{"key": "grant_type", "value": "client_credentials", "is_value_secret": False}]
        },
    },
}
AUTH = {"BASIC": BASIC, "API_KEY": API_KEY, "OAUTH_CLIENT_CREDENTIALS": OAUTH}


@pytest.fixture
def events():
    """An EventBridge client of a forwarding mock, with moto active; no response may hold a
    secret, nor may the delivery log."""
    with mock_aws(), mock_events(forward_targets=True) as mock:
        recording = Recording(boto3.client("events", region_name="us-east-1"))
        yield recording
        check_no_secret(recording)
        assert not any(s in repr(list(mock.deliveries)) for s in SECRETS)


def secrets(region="us-east-1", account=None):
    sm = boto3.client("secretsmanager", region_name=region)
    if account:
        sm.meta.events.register(
            "before-call", lambda params, **_: params["headers"].__setitem__("x-moto-account-id", account)
        )
    return sm


@pytest.mark.parametrize("kind", ["BASIC", "API_KEY", "OAUTH_CLIENT_CREDENTIALS"])
def test_create_connection_keeps_the_credentials_in_a_secret(events, kind):
    arn = events.create_connection(Name="conn", AuthorizationType=kind, AuthParameters=AUTH[kind])["ConnectionArn"]
    described = events.describe_connection(Name="conn")
    secret_arn = described["SecretArn"]
    assert re.fullmatch(
        rf"arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/conn/{UUID}-[A-Za-z0-9]{{6}}",
        secret_arn,
    )
    assert secret_arn.split("/")[-1][:36] != arn.split("/")[-1]
    value = secrets().get_secret_value(SecretId=secret_arn)
    assert value["ARN"] == secret_arn
    assert value["Name"] == secret_arn.split(":secret:")[1][:-7]
    assert json.loads(value["SecretString"]) == SECRET_VALUES[kind]
    description = secrets().describe_secret(SecretId=secret_arn)
    assert description["Tags"] == TAGS
    assert description["OwningService"] == "events"
    assert "KmsKeyId" not in description


def test_the_secret_string_keeps_aws_member_order(events):
    events.create_connection(
        Name="conn", AuthorizationType="BASIC", AuthParameters={**BASIC, "InvocationHttpParameters": {}}
    )
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    assert secrets().get_secret_value(SecretId=secret_arn)["SecretString"] == (
        f'{{"username":"user","password":"{PASSWORD}","invocation_http_parameters":{{}}}}'
    )


def test_the_secret_lives_in_the_connections_account_and_region():
    account = "111122223333"
    with mock_aws(), mock_events(account_id=account, forward_targets=True):
        events = boto3.client("events", region_name="eu-west-1")
        events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
        secret_arn = events.describe_connection(Name="conn")["SecretArn"]
        assert secret_arn.startswith(f"arn:aws:secretsmanager:eu-west-1:{account}:secret:events!connection/conn/")
        theirs = secrets("eu-west-1", account)
        assert json.loads(theirs.get_secret_value(SecretId=secret_arn)["SecretString"])["username"] == "user"
        assert theirs.list_secrets()["SecretList"][0]["ARN"] == secret_arn
        assert secrets("eu-west-1").list_secrets()["SecretList"] == []
        assert secrets("us-east-1", account).list_secrets()["SecretList"] == []


def test_a_customer_managed_key_encrypts_the_secret(events):
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC, KmsKeyIdentifier=key)
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    assert secrets().describe_secret(SecretId=secret_arn)["KmsKeyId"] == key


def test_update_connection_writes_the_new_credentials_to_the_same_secret(events):
    events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    first = secrets().get_secret_value(SecretId=secret_arn)["VersionId"]
    events.update_connection(
        Name="conn", AuthParameters={"BasicAuthParameters": {"Username": "new-user", "Password": NEW_PASSWORD}}
    )
    assert events.describe_connection(Name="conn")["SecretArn"] == secret_arn
    value = secrets().get_secret_value(SecretId=secret_arn)
    assert json.loads(value["SecretString"]) == {"username": "new-user", "password": NEW_PASSWORD}
    assert value["VersionId"] != first
    assert [s["ARN"] for s in secrets().list_secrets()["SecretList"]] == [secret_arn]


def test_an_update_that_changes_no_credential_leaves_the_secret(events):
    events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    first = secrets().get_secret_value(SecretId=secret_arn)["VersionId"]
    events.update_connection(Name="conn", Description="to the API")
    assert secrets().get_secret_value(SecretId=secret_arn)["VersionId"] == first


def test_update_to_another_authorization_type_rewrites_the_secret(events):
    events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    events.update_connection(
        Name="conn",
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": API_KEY_VALUE}},
    )
    value = json.loads(secrets().get_secret_value(SecretId=secret_arn)["SecretString"])
    assert value == {"api_key_name": "k", "api_key_value": API_KEY_VALUE}


def test_deauthorize_connection_removes_the_secret_values(events):
    events.create_connection(Name="conn", AuthorizationType="API_KEY", AuthParameters=API_KEY)
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    events.deauthorize_connection(Name="conn")
    value = json.loads(secrets().get_secret_value(SecretId=secret_arn)["SecretString"])
    assert value == {
        "api_key_name": "x-api-key",
        "invocation_http_parameters": {
            "header_parameters": [
                {"key": "x-tenant", "value": "shop", "is_value_secret": False},
                {"key": "x-signature", "is_value_secret": True},
            ],
            "body_parameters": [{"key": "b", "is_value_secret": True}],
        },
    }


def test_delete_connection_deletes_the_secret(events):
    events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    events.delete_connection(Name="conn")
    with pytest.raises(ClientError) as e:
        secrets().get_secret_value(SecretId=secret_arn)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert secrets().list_secrets()["SecretList"] == []


def test_a_connection_made_before_moto_gets_its_secret_when_updated():
    with mock_events(forward_targets=True):
        events = boto3.client("events", region_name="us-east-1")
        events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
        placeholder = events.describe_connection(Name="conn")["SecretArn"]
        with mock_aws():
            assert secrets().list_secrets()["SecretList"] == []
            events.update_connection(
                Name="conn", AuthParameters={"BasicAuthParameters": {"Username": "u2", "Password": NEW_PASSWORD}}
            )
            secret_arn = events.describe_connection(Name="conn")["SecretArn"]
            assert secret_arn != placeholder
            assert json.loads(secrets().get_secret_value(SecretId=secret_arn)["SecretString"]) == {
                "username": "u2",
                "password": NEW_PASSWORD,
            }


def test_failed_calls_touch_no_secret(events):
    events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
    with pytest.raises(ClientError):
        events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
    with pytest.raises(ClientError):
        events.update_connection(Name="conn", AuthorizationType="API_KEY")
    with pytest.raises(ClientError):
        events.delete_connection(Name="missing")
    [secret] = secrets().list_secrets()["SecretList"]
    assert json.loads(secrets().get_secret_value(SecretId=secret["ARN"])["SecretString"]) == {
        "username": "user",
        "password": PASSWORD,
    }


def test_without_moto_the_secret_arn_names_no_secret():
    with mock_events(forward_targets=True):
        events = boto3.client("events", region_name="us-east-1")
        events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
        secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    assert re.fullmatch(
        rf"arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/conn/{UUID}-[A-Za-z0-9]{{6}}",
        secret_arn,
    )
    with mock_aws():
        assert secrets().list_secrets()["SecretList"] == []


def test_without_forwarding_no_secret_is_made_in_moto():
    with mock_aws(), mock_events():
        events = boto3.client("events", region_name="us-east-1")
        events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
        assert secrets().list_secrets()["SecretList"] == []


def test_a_secrets_manager_that_fails_leaves_a_warning_without_secrets(monkeypatch):
    from eventbridge_mock import forwarding

    def refusing(kind, service, region):
        sm = original(kind, service, region)

        def deny(**_kwargs):
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": PASSWORD}}, "CreateSecret")

        sm.create_secret = deny
        return sm

    original = forwarding._client
    monkeypatch.setattr(forwarding, "_client", refusing)
    with mock_aws(), mock_events(forward_targets=True):
        events = boto3.client("events", region_name="us-east-1")
        with pytest.warns(RuntimeWarning) as caught:
            events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
        assert events.describe_connection(Name="conn")["ConnectionState"] == "AUTHORIZED"
    assert [str(w.message) for w in caught] == [
        "eventbridge-mock: the Secrets Manager secret of connection conn could not be kept: AccessDeniedException"
    ]
