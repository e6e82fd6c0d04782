import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ACKNOWLEDGEMENT_METADATA_TYPE } from '../../../../building-blocks/gates/acknowledge';
import { HAND_OFF_EVENT } from '../../../../workloads/support-chat/handoff/handlers/lib/hand-off-events';
import { CONNECTOR_TIMEOUT_SECONDS, MAX_RECEIVE_COUNT } from '../../../../workloads/support-chat/handoff/handoff-wiring';
import { exampleEstate } from '../../../support/example-estate';
import { resolveIntrinsics } from '../../../support/resolve-intrinsics';

/*
 * The hand-off's resources as the example estate synthesizes them (every gate passed to get here): the bus and its rule
 * to the queue, the queue and its dead-letter queue under the stack's key, the connector's event source mapping and
 * least-privilege policy, the turn's publish permission and endpoint, the alarms, the settings' first version.
 */

type Properties = Record<string, any>;

describe('support-chat hand-off (synthesized example estate)', () => {
  const { config, supportChat } = exampleEstate();
  const chat = supportChat[0];
  const handOff = config.workloads.supportChat!.handOff!;
  const all = (type: string): Properties[] => Object.values(chat.template.findResources(type)).map((r) => r.Properties as Properties);
  const idOf = (type: string, match: (p: Properties) => boolean) =>
    Object.entries(chat.template.findResources(type)).find(([, r]) => match(r.Properties))![0];
  const queues = all('AWS::SQS::Queue');
  const queue = queues.find((q) => q.QueueName === 'support-chat-handoff')!;
  const dlq = queues.find((q) => q.QueueName === 'support-chat-handoff-dlq')!;
  const dlqId = idOf('AWS::SQS::Queue', (q) => q.QueueName === 'support-chat-handoff-dlq');
  const queueId = idOf('AWS::SQS::Queue', (q) => q.QueueName === 'support-chat-handoff');
  const policy = (name: string) => all('AWS::IAM::ManagedPolicy').find((p) => p.ManagedPolicyName === `${name}-${chat.region}`)!.PolicyDocument;

  test('the queue and its dead-letter queue are encrypted with the stack\'s key; the redrive moves a hand-off after the maximum receives', () => {
    for (const q of [queue, dlq]) expect(q.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: MAX_RECEIVE_COUNT });
    expect(queue.VisibilityTimeout).toBe(6 * CONNECTOR_TIMEOUT_SECONDS);
  });

  test('the rule sends exactly the hand-off events of the tenant bus to the queue, undeliverable ones to the dead-letter queue', () => {
    // Every rule of the hand-off events but the refund approval's (below), which matches `refund_over_limit` alone.
    const rules = all('AWS::Events::Rule').filter((r) => JSON.stringify(r.EventPattern ?? {}).includes(HAND_OFF_EVENT.source) && !r.EventPattern.detail);
    expect(rules).toHaveLength(1);
    expect(rules[0].EventPattern).toEqual({ 'source': [HAND_OFF_EVENT.source], 'detail-type': [HAND_OFF_EVENT.detailType] });
    expect(rules[0].Targets).toEqual([expect.objectContaining({
      Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
    })]);
  });

  test('the connector reads the queue with partial batch failures, and may touch only its TICKET# items, the queue and the API key secret', () => {
    // The queue's one mapping (the analytics export reads the conversation table's stream with its own).
    const mappings = all('AWS::Lambda::EventSourceMapping').filter((m) => JSON.stringify(m.EventSourceArn).includes(queueId));
    expect(mappings).toEqual([expect.objectContaining({ EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] }, FunctionResponseTypes: ['ReportBatchItemFailures'] })]);
    const statements = policy('support-chat-handoff-connector').Statement as Properties[];
    expect(statements.find((s) => s.Sid === 'TicketItemsOnly')!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TICKET#*'] } });
    expect(JSON.stringify(statements.find((s) => s.Sid === 'WebhookApiKey')!.Resource)).toContain(`:secret:${handOff.apiKeySecretName}-??????`);
    const connector = all('AWS::Lambda::Function').find((f) => f.FunctionName === 'support-chat-handoff-connector')!;
    expect(connector.Environment.Variables).toMatchObject({ WEBHOOK_URL: handOff.webhookUrl, WEBHOOK_SECRET_ID: handOff.apiKeySecretName });
  });

  test('each function\'s concurrency acknowledgement names what bounds it: the mapping\'s maximum concurrency, the state machine, the WebSocket throttle', () => {
    const mapping = all('AWS::Lambda::EventSourceMapping').find((m) => JSON.stringify(m.EventSourceArn).includes(queueId))!;
    const maximum = mapping.ScalingConfig.MaximumConcurrency as number;
    expect(maximum).toBeGreaterThanOrEqual(2);
    const reasonOf = (functionName: string) => {
      const logicalId = Object.entries(chat.template.findResources('AWS::Lambda::Function')).find(([, r]) => r.Properties.FunctionName === functionName)![0];
      const path = chat.artifact.findMetadataByType('aws:cdk:logicalId').find((e) => e.data === logicalId)!.path;
      return (chat.artifact.findMetadataByType(ACKNOWLEDGEMENT_METADATA_TYPE)
        .filter((e) => e.path === path).map((e) => e.data as unknown as { id: string; reason: string })
        .find((a) => a.id === 'NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency'))!.reason;
    };
    expect(reasonOf('support-chat-handoff-connector')).toContain(`SQS event source mapping, whose ScalingConfig.MaximumConcurrency (${maximum})`);
    expect(reasonOf('support-chat-refund-approval')).toContain('refund approval state machine');
    expect(reasonOf('support-chat-turn')).toContain('WebSocket stage throttle');
    for (const fn of ['support-chat-handoff-connector', 'support-chat-refund-approval']) expect(reasonOf(fn)).not.toContain('WebSocket');
  });

  test('the turn may publish on the bus only, through an endpoint that admits PutEvents on that bus only; its policy and settings are the config\'s', () => {
    const publish = (policy('support-chat-turn').Statement as Properties[]).find((s) => s.Sid === 'PublishHandOffs')!;
    expect(publish.Action).toBe('events:PutEvents');
    const endpoint = all('AWS::EC2::VPCEndpoint').find((e) => e.ServiceName === `com.amazonaws.${chat.region}.events`)!;
    expect(endpoint.PrivateDnsEnabled).toBe(false);
    expect(endpoint.PolicyDocument.Statement).toEqual([expect.objectContaining({ Action: 'events:PutEvents', Resource: publish.Resource })]);
    const turn = all('AWS::Lambda::Function').find((f) => f.FunctionName === 'support-chat-turn')!;
    const { unresolvedTurns, refundApprovalThreshold } = handOff;
    expect(JSON.parse(turn.Environment.Variables.HANDOFF_POLICY)).toEqual({ unresolvedTurns, refundApprovalThreshold });
    const version = all('AWS::AppConfig::HostedConfigurationVersion')[0];
    expect(JSON.parse(version.Content).limits.unresolvedTurnsBeforeHandOff).toBe(handOff.unresolvedTurns);
  });

  test('two alarms on the tenant\'s topic: any dead letter, and a hand-off waiting 15 minutes', () => {
    const alarms = all('AWS::CloudWatch::Alarm').filter((a) => String(a.AlarmName).startsWith('support-chat-handoff'));
    expect(alarms.map((a) => [a.AlarmName, a.MetricName, a.Threshold]).sort()).toEqual([
      ['support-chat-handoff-age', 'ApproximateAgeOfOldestMessage', 900],
      ['support-chat-handoff-dead-letters', 'ApproximateNumberOfMessagesVisible', 1],
    ]);
    for (const a of alarms) expect(a.AlarmActions).toHaveLength(1);
  });
});

describe('the refund approval workflow (synthesized example estate)', () => {
  const { supportChat } = exampleEstate();
  const chat = supportChat[0];
  const resources = (type: string) => Object.entries(chat.template.findResources(type)) as [string, { Properties: Properties }][];
  const [machineId, machine] = resources('AWS::StepFunctions::StateMachine').find(([, r]) => r.Properties.StateMachineName === 'support-chat-refund-approval')!;
  /** The definition with every intrinsic inside its strings replaced by `X` (the ARNs' account, Region, function). */
  const definition = JSON.parse((machine.Properties.DefinitionString['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'X')).join(''));

  test('STANDARD, under the stack\'s key, every event logged without execution data, traced', () => {
    expect(machine.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] } },
    });
  });

  test('the waiting task invokes the function with .waitForTaskToken and the token, times out after a day into the expired notice', () => {
    const request = definition.States.RequestApproval;
    expect(request.Resource).toBe('arn:X:states:::lambda:invoke.waitForTaskToken');
    expect(request.Parameters.Payload).toEqual({ 'step': 'request', 'taskToken.$': '$$.Task.Token', 'handOff.$': '$.detail', 'timeoutSeconds': 86_400 });
    expect(request.TimeoutSeconds).toBe(86_400);
    expect(request.Catch).toEqual([{ ErrorEquals: ['States.Timeout'], ResultPath: '$.expired', Next: 'TellCustomerExpired' }]);
    expect(request.Next).toBe('TellCustomer');
    expect(definition.States.TellCustomer.Parameters.Payload).toEqual({ 'step': 'notify', 'handOff.$': '$.detail', 'decision.$': '$.decision' });
    expect(definition.States.TellCustomerExpired.Parameters.Payload).toEqual({ 'step': 'notify', 'handOff.$': '$.detail' });
  });

  test('only refund_over_limit hand-offs start it; the relay may answer tasks; the function holds CONN# items and POST to connections', () => {
    const rule = resources('AWS::Events::Rule').map(([, r]) => r.Properties).find((r) => JSON.stringify(r.Targets).includes(machineId))!;
    expect(rule.EventPattern).toEqual({ 'source': [HAND_OFF_EVENT.source], 'detail-type': [HAND_OFF_EVENT.detailType], 'detail': { reason: ['refund_over_limit'] } });
    const policy = (name: string) => resources('AWS::IAM::ManagedPolicy').map(([, r]) => r.Properties)
      .find((p) => p.ManagedPolicyName === `${name}-${chat.region}`)!.PolicyDocument.Statement as Properties[];
    expect(policy('support-chat-relay').find((s) => s.Sid === 'AnswerRefundApprovals')).toMatchObject({ Action: 'states:SendTaskSuccess', Resource: '*' });
    const fn = policy('support-chat-refund-approval');
    expect(fn.find((s) => s.Sid === 'ConnectionIndexItemsOnly')!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CONN#*'] } });
    expect(JSON.stringify(fn.find((s) => s.Sid === 'PostToCustomers')!.Resource)).toContain('/live/POST/@connections/*');
    const start = policy('support-chat-refund-approval-start')[0];
    expect(start.Action).toBe('states:StartExecution');
    expect(JSON.stringify(start.Resource)).toMatch(/:stateMachine:support-chat-refund-approval"/);
  });
});

describe('the hand-off\'s IAM, evaluated with iam-simulate on the synthesized policies (example estate)', () => {
  const { supportChat } = exampleEstate();
  const chat = supportChat[0];
  const json = chat.artifact.template as Parameters<typeof resolveIntrinsics>[1];
  const place = { account: chat.account, region: chat.region };
  const managed = (name: string) => resolveIntrinsics(Object.values(json.Resources)
    .find((r) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties?.ManagedPolicyName === `${name}-${chat.region}`)!.Properties!.PolicyDocument, json, place);
  const tableArn = resolveIntrinsics({ 'Fn::GetAtt': [Object.entries(json.Resources).find(([, r]) => r.Type === 'AWS::DynamoDB::Table')![0], 'Arn'] }, json, place) as string;
  const busArn = `arn:aws:events:${chat.region}:${chat.account}:event-bus/support-chat-handoff`;
  const SUB = '0b7c6e1e-6a0c-4d6a-9a2e-5f1f2b3c4d5e';

  async function evaluate(
    policy: unknown, role: string, action: string, resource: string, context: Record<string, string | string[]> = {},
  ): Promise<string> {
    const result = await runSimulation({
      request: {
        principal: `arn:aws:sts::${chat.account}:assumed-role/${role}/session`,
        action,
        resource: { resource, accountId: chat.account },
        contextVariables: { 'aws:RequestedRegion': chat.region, ...context },
      },
      identityPolicies: [{ name: 'policy', policy: policy as Record<string, unknown> }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    }, {});
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }

  test('the connector reaches its TICKET# items and not a customer\'s conversation', async () => {
    const policy = managed('support-chat-handoff-connector');
    const connector = (action: string, keys: string[]) => evaluate(policy, 'support-chat-handoff-connector', action, tableArn, { 'dynamodb:LeadingKeys': keys });
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      expect(await connector(action, [`TICKET#${SUB}`])).toBe('Allowed');
      expect(await connector(action, [`USER#${SUB}`])).not.toBe('Allowed');
      expect(await connector(action, ['TENANT'])).not.toBe('Allowed');
    }
    expect(await connector('dynamodb:Query', [`TICKET#${SUB}`])).not.toBe('Allowed');
  });

  test('the connector reads the webhook\'s API key secret and no other', async () => {
    const policy = managed('support-chat-handoff-connector');
    const secret = (name: string) => `arn:aws:secretsmanager:${chat.region}:${chat.account}:secret:${name}-AbCdEf`;
    expect(await evaluate(policy, 'support-chat-handoff-connector', 'secretsmanager:GetSecretValue', secret('support-chat/ticketing-api-key'))).toBe('Allowed');
    expect(await evaluate(policy, 'support-chat-handoff-connector', 'secretsmanager:GetSecretValue', secret('support-chat/order-api'))).not.toBe('Allowed');
  });

  test('the turn publishes on the hand-off bus and on no other', async () => {
    const policy = managed('support-chat-turn');
    expect(await evaluate(policy, 'support-chat-turn', 'events:PutEvents', busArn)).toBe('Allowed');
    expect(await evaluate(policy, 'support-chat-turn', 'events:PutEvents', `arn:aws:events:${chat.region}:${chat.account}:event-bus/default`)).not.toBe('Allowed');
  });
});
