import { Aws, Duration, PhysicalName, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { NAMED_STACK, stackArns } from './review-roles';
import { acknowledge } from '../../private/acknowledge';
import { fail } from '../../private/errors';
import { acknowledgeWildcards, arnPattern, escapeRegExp } from '../../private/wildcard-allowances';
import { ReviewFunction } from '../review-function';

/** Where the review reports go, under the artifact bucket. */
export const REPORT_PREFIX = 'change-set-reviews/';

/**
 * The one change-set review function of a stack (with its role and log group), which every review
 * step of the stack's pipelines invokes; one per stack like the failure notifier, for the same reason
 * (a function shared across stacks would make their policies and references cross). Not public API.
 *
 * Its role may: describe the change sets of the registered stacks in the stack's own account
 * (`cloudformation:DescribeChangeSet`, `DescribeStacks` on `stack/<name>/*` and nested `stack/<name>-*` per region), assume the
 * review role of each other account (see `ReviewRoles`), write reports under `change-set-reviews/`
 * of the registered artifact buckets (and use their keys to encrypt), publish to the registered
 * approval topics, read its job (GetJobDetails, no resource-level permissions) and the declaration
 * of the reviewed pipelines (GetPipeline, in a policy per pipeline). CodePipeline's
 * PutJobSuccessResult/PutJobFailureResult (no resource-level permissions) is aws-cdk-lib's grant of
 * the Lambda invoke action.
 */
export class ChangeSetReviewer extends Construct {
  /** Construct id of the reviewer, a direct child of its stack. */
  public static readonly ID = 'CdpChangeSetReviewer';

  /** The stack's reviewer, defined on first use. */
  public static of(scope: IConstruct): ChangeSetReviewer {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ChangeSetReviewer.ID);
    if (existing === undefined) return new ChangeSetReviewer(stack, ChangeSetReviewer.ID);
    if (!(existing instanceof ChangeSetReviewer)) {
      fail(scope, `stack '${stack.node.path}' already has a child '${ChangeSetReviewer.ID}' that is not the change-set reviewer; `
        + 'this id is reserved for the review function shared by the stack\'s pipelines: give your construct another id.');
    }
    return existing;
  }

  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  private readonly describe: iam.PolicyStatement;
  private readonly assume: iam.PolicyStatement;
  private readonly done = new Set<string>();
  private pipelines = 0;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    acknowledge(this.logGroup, 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
      'The review logs hold stack, change set and resource names and counts, no secrets or artifacts (the report goes to the KMS-encrypted artifact bucket); '
        + 'CloudWatch Logs encrypts them at rest with its own key. Control Tower control CT.CLOUDWATCH.PR.3 would still block the deploy where it is enabled.');
    // An explicit role with inline statements only: no AWSLambdaBasicExecutionRole (logs:* on every group).
    // A generated name: the review roles of other accounts trust exactly this role's ARN.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      description: 'Change-set review of the CodePipeline pipelines of this stack: describes their change sets, writes the report, publishes the summary',
    });
    this.logGroup.grantWrite(this.role);
    this.describe = new iam.PolicyStatement({ actions: ['cloudformation:DescribeChangeSet', 'cloudformation:DescribeStacks'] });
    this.assume = new iam.PolicyStatement({ actions: ['sts:AssumeRole'] });
    this.function = new ReviewFunction(this, 'Function', {
      description: 'Describes and classifies the change sets a CodePipeline approval of this stack lets through',
      role: this.role,
      logGroup: this.logGroup,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.minutes(5),
    });
    acknowledge(this.function, 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      'The review calls only AWS APIs (CloudFormation DescribeChangeSet, STS AssumeRole, S3 PutObject, SNS Publish, CodePipeline job results) and reaches no private resource; '
        + 'in a VPC it would need NAT or interface endpoints. Control Tower control CT.LAMBDA.PR.3 would still block the deploy where it is enabled.');
    acknowledgeWildcards(this, [{
      onlyActions: ['codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult', 'codepipeline:GetJobDetails'],
      resource: '*',
      reason: 'aws-cdk-lib\'s Lambda invoke action grants the function PutJobSuccessResult/PutJobFailureResult; the review reads its job with GetJobDetails '
        + '(read-only: the job\'s pipeline, stage and execution, to find the change sets); none of them has resource-level permissions (a job id is not an ARN).',
    }, {
      onlyActions: ['cloudformation:DescribeChangeSet', 'cloudformation:DescribeStacks'],
      resourcePattern: () => arnPattern('cloudformation', NAMED_STACK, { account: Stack.of(this).account }),
      reason: 'Read-only: describes the named stacks of the reviewed pipelines and their change sets; `/*` is the stack id CloudFormation appends to the name, '
        + '`<name>-*` their nested stacks (named `<name>-<NestedLogicalId>-<suffix>`).',
    }]);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['codepipeline:GetJobDetails'], resources: ['*'] }));
  }

  /** Let the function describe the change sets of `stackName` (and its nested stacks) in `region` of this stack's account. */
  public allowDescribe(region: string, stackName: string): void {
    for (const arn of stackArns(region, Stack.of(this).account, stackName)) {
      if (this.once(`describe:${arn}`)) {
        if (this.describe.resources.length === 0) this.role.addToPrincipalPolicy(this.describe);
        this.describe.addResources(arn);
      }
    }
  }

  /**
   * Let the function read the declaration of `pipeline` (GetPipeline: the change-set actions of the
   * reviewed stage). In a policy of its own, not the role's default policy: the function depends on that
   * one, and the pipeline on the function, so naming the pipeline there would make a cycle.
   */
  public allowGetPipeline(pipeline: codepipeline.IPipeline): void {
    if (this.once(`pipeline:${pipeline.node.path}`)) {
      const id = `GetPipeline${this.pipelines++ || ''}`;
      new iam.Policy(this, id, {
        roles: [this.role],
        statements: [new iam.PolicyStatement({ actions: ['codepipeline:GetPipeline'], resources: [pipeline.pipelineArn] })],
      });
    }
  }

  /** Let the function assume a review role of another account. */
  public allowAssume(roleArn: string): void {
    if (this.once(`assume:${roleArn}`)) {
      if (this.assume.resources.length === 0) this.role.addToPrincipalPolicy(this.assume);
      this.assume.addResources(roleArn);
    }
  }

  /** Let the function write reports under `change-set-reviews/` of the bucket (and encrypt them with its key). */
  public allowReports(bucket: s3.IBucket, key?: kms.IKey): void {
    if (this.once(`bucket:${bucket.node.path}`)) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${REPORT_PREFIX}*`)] }));
      acknowledgeWildcards(this, [{
        onlyActions: ['s3:PutObject'],
        resourcePattern: (flatten) => new RegExp(`^${escapeRegExp(flatten(bucket.bucketArn))}/${escapeRegExp(REPORT_PREFIX)}\\*$`),
        reason: 'Writes the review reports (one object per execution and stage) under the change-set-reviews/ prefix of the artifact bucket only.',
      }]);
    }
    if (key && this.once(`key:${key.node.path}`)) {
      // (the partition may be a token; the region, account and alias of the stores' keys are literals)
      const alias = /:kms:([a-z0-9-]+):(\d{12}):(alias\/[A-Za-z0-9/_-]+)$/.exec(key.keyArn);
      if (alias) {
        // A key known by its alias (the ArtifactStores' keys): KMS authorizes on the key ARN, so the statement names the
        // account's keys of the region, pinned to exactly that alias by kms:ResourceAliases.
        const keys = `arn:${Aws.PARTITION}:kms:${alias[1]}:${alias[2]}:key/*`;
        this.role.addToPrincipalPolicy(new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: [keys], conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias[3] } },
        }));
        acknowledgeWildcards(this, [{
          onlyActions: ['kms:GenerateDataKey', 'kms:Encrypt'],
          resource: keys,
          reason: `Encrypts the review reports with the artifact key only: the kms:ResourceAliases condition pins the statement to the key aliased ${alias[3]}.`,
        }]);
      } else {
        this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: [key.keyArn] }));
      }
    }
  }

  /** Let the function publish to an approval topic (and use its key). */
  public allowPublish(topic: sns.ITopic): void {
    if (this.once(`topic:${topic.node.path}`)) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
      const key = topic.masterKey;
      if (key && this.once(`topickey:${key.node.path}`)) key.grant(this.role, 'kms:Decrypt', 'kms:GenerateDataKey');
    }
  }

  private once(what: string): boolean {
    if (this.done.has(what)) return false;
    this.done.add(what);
    return true;
  }
}
