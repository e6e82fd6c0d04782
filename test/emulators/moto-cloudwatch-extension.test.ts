import { DescribeAlarmsCommand, PutCompositeAlarmCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { startMoto, type MotoServer } from '../../emulators/moto/moto-server';
import { queryProtocolCloudWatchClient } from '../../operations/verify/cloudwatch-client';

/*
 * moto's CloudWatch with the PutCompositeAlarm of emulators/moto/cloudwatch_extension.py, through the SDK's client
 * speaking the query protocol (the only one moto 5.2.5's CloudWatch answers).
 */

let moto: MotoServer;
const client = () => queryProtocolCloudWatchClient({
  endpoint: moto.endpoint, region: 'eu-central-1', maxAttempts: 1, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

beforeAll(async () => { moto = await startMoto(); }, 60_000);
afterAll(async () => { await moto?.stop(); });

test('a composite alarm is stored with its rule and listed under CompositeAlarms, its metric alarm under MetricAlarms', async () => {
  const cw = client();
  await cw.send(new PutMetricAlarmCommand({
    AlarmName: 'child',
    MetricName: 'Invocations',
    Namespace: 'AWS/Bedrock',
    Statistic: 'Sum',
    Period: 3600,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanThreshold',
  }));
  await cw.send(new PutCompositeAlarmCommand({ AlarmName: 'parent', AlarmRule: 'ALARM("child")', AlarmDescription: 'any child' }));
  const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
  expect(alarms.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['child']);
  expect(alarms.CompositeAlarms?.map((a) => [a.AlarmName, a.AlarmRule, a.AlarmDescription])).toEqual([['parent', 'ALARM("child")', 'any child']]);
  cw.destroy();
});

test('a composite alarm without its rule is refused naming AlarmRule and not stored', async () => {
  const cw = client();
  await expect(cw.send(new PutCompositeAlarmCommand({ AlarmName: 'no-rule', AlarmRule: '' }))).rejects.toMatchObject({ message: expect.stringContaining("'AlarmRule' failed to satisfy constraint") });
  const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['no-rule'], AlarmTypes: ['CompositeAlarm'] }));
  expect(alarms.CompositeAlarms ?? []).toEqual([]);
  cw.destroy();
});
