import { CloudWatchClient, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import { STSClient } from '@aws-sdk/client-sts';

/**
 * A CloudWatch client that speaks CloudWatch's AWS query protocol. CloudWatch serves both that protocol and the JSON
 * protocol the SDK's client now defaults to (the service is `awsQueryCompatible`); moto 5.2.5, which `verify:local`
 * and the tests use, answers only the query protocol (its CloudWatch model lists `query` alone). The SDK's query
 * protocol class is `@aws-sdk/core`'s, which this project does not depend on directly: it is taken from the STS
 * client, whose default protocol it is, and CloudWatch's own protocol settings (namespace, version) are kept.
 */
export function queryProtocolCloudWatchClient(config: CloudWatchClientConfig): CloudWatchClient {
  const sts = new STSClient({ region: config.region ?? 'us-east-1' });
  const protocol = (sts.config.protocol as object).constructor;
  sts.destroy();
  return new CloudWatchClient({ ...config, protocol: protocol as CloudWatchClientConfig['protocol'] });
}
