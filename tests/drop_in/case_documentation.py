"""Methods carry botocore's generated documentation and a signature inspect can read."""

import inspect
import pydoc

import boto3
import botocore.session


def botocore_doc(method_name):
    client = botocore.session.get_session().create_client("events", region_name="us-east-1")
    return str(getattr(client, method_name).__doc__)


def test_docstrings_are_botocores(eventbridge):
    for client in (boto3.client("events"), eventbridge.client()):
        doc = str(client.put_rule.__doc__)
        assert doc == botocore_doc("put_rule")
        assert ":type Name: string" in doc and "**Request Syntax**" in doc
        assert "Creates or updates the specified rule." in pydoc.render_doc(client.put_rule)


def test_signatures(eventbridge):
    mine = inspect.signature(eventbridge.client().put_rule)
    assert str(mine) == (
        "(*, Name: str, ScheduleExpression: str = ..., EventPattern: str = ..., State: str = ..., "
        "Description: str = ..., RoleArn: str = ..., Tags: list = ..., EventBusName: str = ...) -> dict"
    )
    assert [p.kind for p in mine.parameters.values()] == [inspect.Parameter.KEYWORD_ONLY] * 8
    assert str(inspect.signature(eventbridge.client().list_event_buses)) == (
        "(*, NamePrefix: str = ..., NextToken: str = ..., Limit: int = ...) -> dict"
    )
    # Clients made by boto3 keep botocore's own signature.
    assert str(inspect.signature(boto3.client("events").put_rule)) == "(*args, **kwargs)"
