import { CfnParameter } from 'aws-cdk-lib';
import { CfnLink } from 'aws-cdk-lib/aws-oam';
import { Construct } from 'constructs';
import { SHARED_RESOURCE_TYPES, SINK_ARN_TEMPLATE_PARAMETER } from '../../contracts/oam-names';

export interface ObservabilityLinkProps {
  /** Default value of the sink-ARN parameter (the shared SSM parameter's ARN); StackSets override it per Region. */
  readonly sinkArnParameterArn: string;
  /** OAM metric filter: which namespaces the audit account sees. */
  readonly metricFilter: string;
  /**
   * OAM log-group filter: which log groups the audit account sees.
   * @default - no log groups are shared
   */
  readonly logGroupFilter?: string;
}

/**
 * DASH-1's source side: an `AWS::Oam::Link` to the audit account's sink of this Region, labelled with the account name,
 * sharing only the metrics (and log groups) the filters name. The sink's ARN comes from the audit account's shared SSM
 * parameter, read through a template parameter of type `AWS::SSM::Parameter::Value<String>`.
 */
export class ObservabilityLink extends Construct {
  public readonly link: CfnLink;

  constructor(scope: Construct, id: string, props: ObservabilityLinkProps) {
    super(scope, id);
    const sinkArn = new CfnParameter(scope, SINK_ARN_TEMPLATE_PARAMETER, {
      type: 'AWS::SSM::Parameter::Value<String>',
      default: props.sinkArnParameterArn,
      description: 'DASH-1: ARN of the audit account\'s shared SSM parameter holding the OAM sink ARN of this Region',
    });
    this.link = new CfnLink(this, 'Link', {
      labelTemplate: '$AccountName',
      resourceTypes: props.logGroupFilter ? SHARED_RESOURCE_TYPES : ['AWS::CloudWatch::Metric'],
      sinkIdentifier: sinkArn.valueAsString,
      linkConfiguration: {
        metricConfiguration: { filter: props.metricFilter },
        ...(props.logGroupFilter && { logGroupConfiguration: { filter: props.logGroupFilter } }),
      },
    });
  }
}
