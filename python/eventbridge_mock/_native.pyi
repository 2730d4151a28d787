"""Types of the native engine, ``eventbridge_mock._native`` (src/py.rs).

Written by hand, as the module is not described by the service model: keep it in step with
src/py.rs (tests/test_typing.py checks that every public name of the built module is here).
"""

import os
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    final,
)

_PatternLike = Union[str, Mapping[str, Any], "Pattern"]
_EventLike = Union[str, Mapping[str, Any]]
_RuleSetT = TypeVar("_RuleSetT", bound="RuleSet")

def init(
    model_json: str,
    make_error: Callable[[str, str, str, str], BaseException],
    param_validation_error: Type[BaseException],
) -> None:
    """Gives the engine the service model and botocore's error classes (once per process)."""

@final
class Backend:
    """The state of one mock cloud: every account and region."""

    def __new__(cls) -> "Backend": ...
    def reset(self) -> None:
        """Forgets every resource in every account and region, and the delivery log."""
    def deliveries(self, start: int = 0) -> List[Dict[str, Any]]:
        """The delivery log, oldest first: one dict per delivery of an event to a target,
        from the ``start``-th on."""
    def clear_deliveries(self) -> None: ...
    def delivery_count(self) -> int: ...
    def clock_now(self) -> float:
        """The mock's time, in epoch seconds."""
    def clock_is_frozen(self) -> bool: ...
    def clock_freeze(self, at: Optional[float] = None) -> None:
        """Stops the clock at ``at`` (epoch seconds), or now. Moving it forward fires the
        scheduled rules due on the way, in time order."""
    def clock_unfreeze(self) -> None:
        """Lets the clock follow the host's time again."""
    def mark_failed(self, index: int, error: str) -> None:
        """Records that delivery ``index`` failed after all (a forwarded delivery that failed)."""
    def set_forwarded(self, index: int, forwarded: bool, note: Optional[str] = None) -> None:
        """Records whether delivery ``index`` was forwarded, and why not or what its target's
        service answered."""
    def set_quota(self, name: str, value: int) -> None:
        """Raises one of AWS's adjustable quotas (as a support request would): ``rules_per_bus``."""
    def connection_credentials(self, account: str, region: str, name: str) -> Optional[Dict[str, Any]]:
        """Connection ``name`` of an account and region as forwarding needs it, secrets included
        (``SecretString``, the value of the secret AWS keeps), or None. No EventBridge
        operation returns this."""
    def set_connection_secret_arn(
        self, account: str, region: str, name: str, connection_arn: str, secret_arn: str
    ) -> bool:
        """Points connection ``name`` (if it is still ``connection_arn``) at the secret made for it."""
    def set_connection_authorized(
        self, account: str, region: str, name: str, connection_arn: str, authorized: bool
    ) -> bool:
        """Records the outcome of authorizing connection ``name`` (if it is still
        ``connection_arn``): AUTHORIZED or DEAUTHORIZED."""

@final
class Server:
    """AWS's JSON protocol over HTTP in front of a backend, on threads of its own. Python is
    entered only to forward deliveries, through ``forward(start)``."""

    def __new__(
        cls,
        backend: Backend,
        host: str,
        port: int,
        account_id: str,
        region_name: str,
        timeout: float,
        forward: Optional[Callable[[int], None]] = None,
    ) -> "Server": ...
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def running(self) -> bool: ...
    def stop(self) -> None:
        """Stops serving: requests under way finish, then every connection closes."""

@final
class NativeClient:
    """One client's view: a backend, an account and a region."""

    def __new__(cls, backend: Backend, account_id: str, region_name: str) -> "NativeClient": ...
    @property
    def account_id(self) -> str: ...
    @property
    def region_name(self) -> str: ...
    def call(self, operation: str, params: Dict[str, Any], client: Optional[Any] = None) -> Dict[str, Any]:
        """Calls ``operation`` (as named in the model) with boto3-style keyword arguments; an
        error is raised as ``client.exceptions`` names it, when a client is given."""

@final
class Pattern:
    """A compiled event pattern, for notebooks and tests."""

    def __new__(cls, pattern: _PatternLike) -> "Pattern": ...
    @property
    def source(self) -> str:
        """The pattern text."""
    def matches(self, event: _EventLike) -> bool:
        """Whether AWS would match ``event`` (JSON text or a dict) with this pattern."""
    def explain(self, event: _EventLike) -> "Explanation":
        """Why ``event`` matched or not: each field and condition, for each ``$or`` branch."""
    def _repr_html_(self) -> str: ...
    def __eq__(self, other: object) -> bool:
        """Equal when both patterns are the same JSON value: member order aside, numbers
        by value."""
    def __hash__(self) -> int: ...

@final
class Explanation:
    """The outcome of ``Pattern.explain``: truthy when the event matched."""

    @property
    def matched(self) -> bool: ...
    def __bool__(self) -> bool: ...
    def _repr_html_(self) -> str: ...

class RuleSet:
    """Many named patterns compiled together: which rules match an event."""

    def __new__(
        cls: Type[_RuleSetT], rules: Optional[Mapping[str, _PatternLike]] = None
    ) -> _RuleSetT: ...
    def __len__(self) -> int: ...
    def add(self, name: str, pattern: _PatternLike) -> None: ...
    def remove(self, name: str) -> None: ...
    def patterns(self) -> Dict[str, Pattern]:
        """Each rule's pattern by name, in name order."""
    def match(self, event: _EventLike) -> List[str]:
        """The names of the rules that match ``event``, sorted."""
    def _match_many(
        self, events: Union[Iterable[_EventLike], str, "os.PathLike[str]"]
    ) -> Tuple[List[List[str]], Dict[str, int]]: ...

@final
class Schedule:
    """A schedule expression, for seeing when a rule will fire."""

    def __new__(cls, expression: str) -> "Schedule":
        """Raises the client's ValidationException for an expression AWS would refuse."""
    @property
    def expression(self) -> str: ...
    def _next(self, after: float, n: int = 1, since: Optional[float] = None) -> List[int]:
        """The next ``n`` due instants (epoch seconds) after ``after``; a rate schedule counts
        from ``since`` (when its rule was created), which defaults to ``after``."""

def test_event_pattern(pattern: _PatternLike, event: _EventLike) -> bool:
    """Whether ``pattern`` matches ``event``; each may be JSON text or a dict."""
