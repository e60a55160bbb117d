import { Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { fail } from '../../private/errors';
import { singleAction } from '../private/binder';
import { MANAGED_COMPUTE_LOGS } from '../private/managed-compute';
import { TargetKind } from '../private/target-kind';
import { requireV2Pipeline } from '../private/v2-only';

/** Options of `DeployTarget.ecrBuildAndPublish`. */
export interface EcrBuildAndPublishTargetOptions {
  /** The private repository to push to. */
  readonly repository: ecr.IRepository;

  /**
   * Directory of the input holding the Dockerfile (`DockerFilePath`).
   *
   * @default - the root of the input
   */
  readonly dockerfileDirectory?: string;

  /**
   * Tags of the pushed image (`ImageTags`; may hold variables such as `#{SourceVariables.CommitId}`).
   *
   * @default ['latest'] (CodePipeline's default)
   */
  readonly imageTags?: string[];

  /**
   * The artifact with the Docker build context: `'ArtifactName'`.
   *
   * @default - the default input
   */
  readonly input?: string;

  /**
   * Namespace of the action's variables (`ECRImageDigestId`, `ECRRepositoryName`).
   *
   * @default - the action name
   */
  readonly variablesNamespace?: string;

  /**
   * Name of the action.
   *
   * @default 'BuildImage'
   */
  readonly actionName?: string;
}

/** aws-cdk-lib's `EcrBuildAndPublishAction`, refused on a V1 pipeline. */
class V2EcrBuildAndPublishAction extends actions.EcrBuildAndPublishAction {
  constructor(private readonly where: string, props: actions.EcrBuildAndPublishActionProps) {
    super(props);
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    requireV2Pipeline(stage, this.where, 'the ECRBuildAndPublish action');
    return super.bound(scope, stage, options);
  }
}

/** The actions of `DeployTarget.ecrBuildAndPublish`. */
export function ecrBuildAndPublishTarget(options: EcrBuildAndPublishTargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'BuildImage', (b) => {
    const tags = options.imageTags;
    if (tags !== undefined) {
      if (tags.length === 0) fail(b.where, 'imageTags is empty; list at least one tag, or leave imageTags out for \'latest\'.');
      for (const t of tags) {
        if (!Token.isUnresolved(t) && !/^#\{[^}]+\}$/.test(t) && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(t.replace(/#\{[^}]+\}/g, 'v'))) {
          fail(b.where, `imageTags has '${t}', which is not an image tag; use up to 128 characters of A-Za-z0-9_.-, not starting with '.' or '-'.`);
        }
      }
    }
    const dir = options.dockerfileDirectory;
    if (dir !== undefined && !Token.isUnresolved(dir) && (dir.startsWith('/') || /(^|\/)Dockerfile$/.test(dir))) {
      fail(b.where, `dockerfileDirectory '${dir}' is not a directory of the input; give the relative directory holding the Dockerfile (e.g. 'services/api').`);
    }
    b.allow([
      {
        resource: '*',
        onlyActions: ['ecr:GetAuthorizationToken'],
        reason: 'ecr:GetAuthorizationToken has no resource-level permissions (a registry login token); pushing is granted on this one repository (aws-cdk-lib EcrBuildAndPublishAction).',
      },
      MANAGED_COMPUTE_LOGS,
    ]);
    return new V2EcrBuildAndPublishAction(b.where, {
      actionName: b.name,
      runOrder: b.runOrder,
      repositoryName: options.repository.repositoryName,
      dockerfileDirectoryPath: dir,
      imageTags: tags,
      registryType: actions.RegistryType.PRIVATE,
      input: b.artifact(options.input, 'input'),
      variablesNamespace: options.variablesNamespace ?? b.name,
    });
  });
}
