"""botocore's Stubber works on EventBridge clients the mock serves: stubbed responses win
while it is active, and the engine serves every call once it is deactivated."""

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, StubAssertionError, Stubber, UnStubbedResponseError

from shop import orders


@pytest.mark.parametrize("made_by", ["module", "mock"])
def test_stubbed_responses_and_errors(eventbridge, made_by):
    client = orders.EVENTS if made_by == "module" else eventbridge.client()
    with Stubber(client) as stubber:
        stubber.add_response(
            "put_events",
            {"FailedEntryCount": 0, "Entries": [{"EventId": "stubbed-1"}]},
            {"Entries": [{"Source": "com.shop", "DetailType": "OrderPlaced", "Detail": ANY}]},
        )
        stubber.add_client_error(
            "describe_rule", "ResourceNotFoundException", "Rule nope does not exist.", 400,
            expected_params={"Name": "nope"},
        )
        response = client.put_events(
            Entries=[{"Source": "com.shop", "DetailType": "OrderPlaced", "Detail": '{"id": 1}'}]
        )
        assert response["Entries"] == [{"EventId": "stubbed-1"}]
        with pytest.raises(client.exceptions.ResourceNotFoundException) as e:
            client.describe_rule(Name="nope")
        assert e.value.response["Error"] == {"Code": "ResourceNotFoundException", "Message": "Rule nope does not exist."}
        stubber.assert_no_pending_responses()
        with pytest.raises(UnStubbedResponseError):
            client.list_rules()
    # Nothing reached the engine while the stubber was active.
    assert len(eventbridge.deliveries) == 0
    # Deactivated: the engine serves again.
    client.put_rule(Name="real", ScheduleExpression="rate(1 hour)")
    assert [r["Name"] for r in client.list_rules()["Rules"]] == ["real"]


def test_pending_responses_and_parameter_mismatches_are_reported(eventbridge):
    client = boto3.client("events")
    stubber = Stubber(client)
    stubber.add_response("list_rules", {"Rules": []}, {"NamePrefix": "a"})
    stubber.activate()
    with pytest.raises(AssertionError, match="1 responses remaining in queue."):
        stubber.assert_no_pending_responses()
    with pytest.raises(StubAssertionError):
        client.list_rules(NamePrefix="b")
    stubber.deactivate()
    with pytest.raises(ClientError) as e:
        client.describe_rule(Name="missing")
    assert e.value.response["Error"]["Message"] == "Rule missing does not exist on EventBus default."
