"""PutCompositeAlarm, which moto 5.2.5's CloudWatch does not route, added to its CloudWatch response class.

moto's CloudWatch backend keeps composite alarms already (an alarm with a rule; DescribeAlarms lists it under
CompositeAlarms), but its responses have no PutCompositeAlarm. This adds it with the API's required members
(AlarmName, AlarmRule: a validation error naming the member otherwise, as the CloudWatch API reference,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html, requires them) and stores
the alarm through moto's own put_metric_alarm. What AWS checks beyond that (the rule's syntax, that the alarms it names
exist, its 10,240 characters) is not modelled.
"""

from moto.cloudwatch.exceptions import ValidationError
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult, EmptyResult


def put_composite_alarm(self: CloudWatchResponse) -> ActionResult:
    name = self._get_param("AlarmName")
    rule = self._get_param("AlarmRule")
    for member, value in (("AlarmName", name), ("AlarmRule", rule)):
        if not value:
            raise ValidationError(f"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null")
    self.cloudwatch_backend.put_metric_alarm(
        name=name,
        namespace=None,
        metric_name=None,
        metric_data_queries=None,
        comparison_operator=None,
        evaluation_periods=None,
        datapoints_to_alarm=None,
        period=None,
        threshold=None,
        statistic=None,
        extended_statistic=None,
        description=self._get_param("AlarmDescription"),
        dimensions=[],
        alarm_actions=self._get_param("AlarmActions", []),
        ok_actions=self._get_param("OKActions", []),
        insufficient_data_actions=self._get_param("InsufficientDataActions", []),
        unit=None,
        actions_enabled=self._get_bool_param("ActionsEnabled"),
        treat_missing_data=None,
        evaluate_low_sample_count_percentile=None,
        threshold_metric_id=None,
        rule=rule,
        tags=self._get_param("Tags", []),
    )
    return EmptyResult()


def install() -> None:
    """Adds PutCompositeAlarm to moto's CloudWatch responses (before the server starts)."""
    CloudWatchResponse.put_composite_alarm = put_composite_alarm
