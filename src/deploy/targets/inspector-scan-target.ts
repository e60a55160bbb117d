import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { fail } from '../../private/errors';
import * as v from '../../private/validate';
import { WildcardAllowance } from '../../private/wildcard-allowances';
import { Binder, singleAction } from '../private/binder';
import { MANAGED_COMPUTE_LOGS } from '../private/managed-compute';
import { TargetKind } from '../private/target-kind';
import { requireV2Pipeline } from '../private/v2-only';

/** What an Inspector scan reads: the source code of an artifact, or an ECR image. */
export class InspectorScanSubject {
  /**
   * The files of an artifact (`'ArtifactName'`; the default input when left out).
   */
  public static sourceCode(input?: string): InspectorScanSubject {
    v.checkArg('InspectorScanSubject.sourceCode', 'input', input, v.str("an artifact name, e.g. 'BuildOutput'"));
    return new InspectorScanSubject(input, undefined, undefined);
  }

  /** An image of a private repository, by tag (`latest` when left out). */
  public static ecrImage(repository: ecr.IRepository, imageTag?: string): InspectorScanSubject {
    v.checkArg('InspectorScanSubject.ecrImage', 'repository', repository, v.required(v.cdk.ecrRepository));
    v.checkArg('InspectorScanSubject.ecrImage', 'imageTag', imageTag, v.str("a tag, e.g. 'latest'"));
    return new InspectorScanSubject(undefined, repository, imageTag);
  }

  private constructor(
    /** @internal */ public readonly _input: string | undefined,
    /** @internal */ public readonly _repository: ecr.IRepository | undefined,
    /** @internal */ public readonly _imageTag: string | undefined,
  ) {}
}

/** Options of `DeployTarget.inspectorScan`. */
export interface InspectorScanTargetOptions {
  /** What to scan. */
  readonly subject: InspectorScanSubject;

  /**
   * Name of the output artifact with the scan report and SBOM.
   *
   * @default 'InspectorReport'
   */
  readonly output?: string;

  /**
   * The scan fails when it finds more CRITICAL vulnerabilities than this.
   *
   * @default - no limit
   */
  readonly criticalThreshold?: number;

  /** @default - no limit on HIGH vulnerabilities */
  readonly highThreshold?: number;

  /** @default - no limit on MEDIUM vulnerabilities */
  readonly mediumThreshold?: number;

  /** @default - no limit on LOW vulnerabilities */
  readonly lowThreshold?: number;

  /**
   * Name of the action.
   *
   * @default 'InspectorScan'
   */
  readonly actionName?: string;
}

/** aws-cdk-lib's `InspectorSourceCodeScanAction`, refused on a V1 pipeline. */
class V2SourceScan extends actions.InspectorSourceCodeScanAction {
  public where = '';
  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    requireV2Pipeline(stage, this.where, 'the InspectorScan action');
    return super.bound(scope, stage, options);
  }
}

/** aws-cdk-lib's `InspectorEcrImageScanAction`, refused on a V1 pipeline. */
class V2ImageScan extends actions.InspectorEcrImageScanAction {
  public where = '';
  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    requireV2Pipeline(stage, this.where, 'the InspectorScan action');
    return super.bound(scope, stage, options);
  }
}

const SCAN_ALLOWANCE: WildcardAllowance = {
  resource: '*',
  onlyActions: ['inspector-scan:ScanSbom', 'ecr:GetAuthorizationToken'],
  reason: 'inspector-scan:ScanSbom scans a document and has no resource type; ecr:GetAuthorizationToken is a registry login token with no '
    + 'resource-level permissions. Image pulls are granted on the scanned repository only (aws-cdk-lib Inspector scan actions).',
};

/** The actions of `DeployTarget.inspectorScan`. */
export function inspectorScanTarget(options: InspectorScanTargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'InspectorScan', (b: Binder) => {
    for (const [field, value] of [['criticalThreshold', options.criticalThreshold], ['highThreshold', options.highThreshold],
      ['mediumThreshold', options.mediumThreshold], ['lowThreshold', options.lowThreshold]] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
        fail(b.where, `${field} is ${value}; pass a whole number of findings, 0 or more (0 fails on any).`);
      }
    }
    const [output] = b.newOutputs([options.output ?? 'InspectorReport']);
    b.allow([SCAN_ALLOWANCE, MANAGED_COMPUTE_LOGS]);
    const common = {
      actionName: b.name,
      runOrder: b.runOrder,
      output,
      criticalThreshold: options.criticalThreshold,
      highThreshold: options.highThreshold,
      mediumThreshold: options.mediumThreshold,
      lowThreshold: options.lowThreshold,
    };
    const s = options.subject;
    const action = s._repository
      ? new V2ImageScan({ ...common, repository: s._repository, imageTag: s._imageTag })
      : new V2SourceScan({ ...common, input: b.artifact(s._input, 'subject') });
    action.where = b.where;
    return action;
  });
}
