import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { clientTokenOf, synchronize } from '../../../../workloads/support-chat/knowledge/handlers/knowledge-sync';

/**
 * The knowledge base's synchronization against a local HTTP server that answers the Bedrock Agent API with recorded
 * responses (the shapes of https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_ListIngestionJobs.html and
 * API_agent_StartIngestionJob.html; no emulator of the Bedrock Agent control plane exists here): the real SDK client
 * signs and sends each request, and the test sees exactly which calls were made.
 */
const TARGET = { knowledgeBaseId: 'KB12345678', dataSourceId: 'DS12345678' };
const EVENT_ID = '6a7e8feb-b491-4cf7-a9f1-bf3703467718';

interface Recorded { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> }
const job = (status: string, extra: Record<string, unknown> = {}) => ({
  ingestionJobId: 'JOB0000001',
  knowledgeBaseId: TARGET.knowledgeBaseId,
  dataSourceId: TARGET.dataSourceId,
  status,
  startedAt: '2026-12-07T08:00:00Z',
  updatedAt: '2026-12-07T08:05:00Z',
  ...extra,
});

describe('knowledge sync (recorded responses of the Bedrock Agent API)', () => {
  let server: Server;
  let client: BedrockAgentClient;
  const calls: { method: string; url: string; body: any }[] = [];
  let answers: { list: Recorded; start: Recorded };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let raw = '';
      req.on('data', (c) => { raw += c; });
      req.on('end', () => {
        calls.push({ method: req.method!, url: req.url!, body: raw ? JSON.parse(raw) : undefined });
        const answer = req.method === 'POST' ? answers.list : answers.start;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new BedrockAgentClient({
      region: 'eu-central-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
  });
  afterAll(() => { client.destroy(); server.close(); });
  beforeEach(() => { calls.length = 0; });

  const started = { status: 202, body: { ingestionJob: job('STARTING', { ingestionJobId: 'JOB0000002' }) } };

  test('a job still running: nothing is started and nothing counted', async () => {
    answers = { list: { status: 200, body: { ingestionJobSummaries: [job('IN_PROGRESS')] } }, start: started };
    expect(await synchronize(client, TARGET, clientTokenOf(EVENT_ID))).toEqual({ skipped: 'job-running', failures: 0, reasons: [] });
    expect(calls.map((c) => c.method)).toEqual(['POST']);
    expect(calls[0].url).toBe(`/knowledgebases/${TARGET.knowledgeBaseId}/datasources/${TARGET.dataSourceId}/ingestionjobs/`);
    expect(calls[0].body).toEqual({ maxResults: 1, sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' } });
  });

  test('the latest job failed: it is counted once and a new job starts with the event\'s client token', async () => {
    answers = { list: { status: 200, body: { ingestionJobSummaries: [job('FAILED')] } }, start: started };
    const outcome = await synchronize(client, TARGET, clientTokenOf(EVENT_ID));
    expect(outcome).toEqual({ started: 'JOB0000002', failures: 1, reasons: ['ingestion job JOB0000001 ended FAILED'] });
    expect(calls.map((c) => c.method)).toEqual(['POST', 'PUT']);
    expect(calls[1].body).toEqual({ clientToken: EVENT_ID });
  });

  test('the latest job completed with failed documents: counted, with the number', async () => {
    answers = { list: { status: 200, body: { ingestionJobSummaries: [job('COMPLETE', { statistics: { numberOfDocumentsFailed: 2, numberOfNewDocumentsIndexed: 10 } })] } }, start: started };
    expect((await synchronize(client, TARGET, clientTokenOf(EVENT_ID))).reasons).toEqual(['ingestion job JOB0000001 ended COMPLETE with 2 failed documents']);
  });

  test('no job yet, or the latest complete without failures: a start and no failure', async () => {
    answers = { list: { status: 200, body: { ingestionJobSummaries: [] } }, start: started };
    expect(await synchronize(client, TARGET, clientTokenOf(EVENT_ID))).toEqual({ started: 'JOB0000002', failures: 0, reasons: [] });
    answers = { list: { status: 200, body: { ingestionJobSummaries: [job('COMPLETE', { statistics: { numberOfDocumentsFailed: 0 } })] } }, start: started };
    expect((await synchronize(client, TARGET, clientTokenOf(EVENT_ID))).failures).toBe(0);
  });

  test('a job started in between (ConflictException): skipped, not a failure', async () => {
    answers = {
      list: { status: 200, body: { ingestionJobSummaries: [job('COMPLETE')] } },
      start: { status: 409, body: { message: 'An ingestion job is already running' }, headers: { 'x-amzn-errortype': 'ConflictException' } },
    };
    expect(await synchronize(client, TARGET, clientTokenOf(EVENT_ID))).toEqual({ skipped: 'conflict', failures: 0, reasons: [] });
  });

  test('a start refused otherwise (AccessDeniedException): one failure naming the error, no throw', async () => {
    answers = {
      list: { status: 200, body: { ingestionJobSummaries: [] } },
      start: { status: 403, body: { message: 'not authorized' }, headers: { 'x-amzn-errortype': 'AccessDeniedException' } },
    };
    expect(await synchronize(client, TARGET, clientTokenOf(EVENT_ID))).toEqual({ failures: 1, reasons: ['StartIngestionJob refused: AccessDeniedException: not authorized'] });
  });

  test('the list itself failing rejects (the handler throws; the alarm counts the function\'s Lambda Errors)', async () => {
    answers = { list: { status: 500, body: { message: 'boom' }, headers: { 'x-amzn-errortype': 'InternalServerException' } }, start: started };
    await expect(synchronize(client, TARGET, clientTokenOf(EVENT_ID))).rejects.toThrow('boom');
    expect(calls.map((c) => c.method)).toEqual(['POST']);
  });

  test('client tokens: an EventBridge id (36 characters) as is, a shorter one padded to the API\'s minimum of 33', () => {
    expect(clientTokenOf(EVENT_ID)).toBe(EVENT_ID);
    expect(clientTokenOf('abc')).toHaveLength(33);
  });
});
