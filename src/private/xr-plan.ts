import { Token } from 'aws-cdk-lib';
import { MAX_ACTIONS_PER_STAGE } from './quotas';
import { ACCOUNT_ID, CHANGE_SET_NAME, CODEPIPELINE_NAME, REGION_NAME, STACK_NAME } from './names';


const PLACEHOLDERS = ['region', 'account'];
/** CloudFormation stack (and stack set) names. */
/** CloudFormation change set names. */

/** A target as planned: account filled in, names computed. */
export interface PlannedTarget {
  readonly region: string;
  readonly account: string;
  readonly crossAccount: boolean;
  readonly stackName: string;
  readonly templatePath: string;
  readonly actionName: string;
  readonly parameterOverrides?: { [name: string]: string };
  readonly index: number;
}

export interface TargetInput {
  readonly region: string;
  readonly account?: string;
  readonly stackName?: string;
  readonly parameterOverrides?: { [name: string]: string };
}

export interface WaveInput {
  readonly waveName: string;
  readonly targets?: TargetInput[];
}

export interface PlanInput {
  readonly id: string;
  readonly pipelineAccount: string;
  readonly pipelineRegion: string;
  readonly stackName: string;
  readonly templatePath: string;
  readonly waves: WaveInput[];
  /** Stage names the pipeline defines itself ('Source', 'Build', 'Test' with a test stack). */
  readonly reservedStageNames?: string[];
}

export interface PlannedWave {
  readonly waveName: string;
  readonly targets: PlannedTarget[];
}

/** Fail with the house message format. */
export function fail(id: string, message: string): never {
  throw new Error(`CrossRegionCfnPipeline '${id}': ${message}`);
}

export function checkRegion(id: string, region: string, where: string): void {
  if (Token.isUnresolved(region)) {
    fail(id, `${where} has an unresolved region (a token: ${region}); pass a concrete region like 'eu-west-1': the pipeline needs an artifact store per region at synth time.`);
  }
  if (!REGION_NAME.test(region)) fail(id, `${where} has region '${region}', which is not a region name; pass a region like 'eu-west-1'.`);
}

export function checkAccount(id: string, account: string, where: string): void {
  if (Token.isUnresolved(account)) {
    fail(id, `${where} has an unresolved account (a token: ${account}); pass a concrete 12-digit account id: cross-account roles are defined per account at synth time.`);
  }
  if (!ACCOUNT_ID.test(account)) fail(id, `${where} has account '${account}', which is not a 12-digit account id; pass the account id as a string like '222222222222'.`);
}

/** A CloudFormation stack name (tokens are not checked). */
export function checkStackName(id: string, stackName: string, where: string, what = 'stack name'): void {
  if (Token.isUnresolved(stackName)) return;
  if (!STACK_NAME.test(stackName)) {
    fail(id, `${where} has the ${what} '${stackName}', which CloudFormation rejects; use 1-128 characters from A-Z a-z 0-9 -, starting with a letter, e.g. 'my-stack'.`);
  }
}

/** A CloudFormation change set name (tokens are not checked). */
export function checkChangeSetName(id: string, changeSetName: string): void {
  if (Token.isUnresolved(changeSetName)) return;
  if (!CHANGE_SET_NAME.test(changeSetName)) {
    fail(id, `changeSetName '${changeSetName}' is not a CloudFormation change set name; use 1-128 characters from A-Z a-z 0-9 -, starting with a letter, e.g. 'PipelineChangeSet'.`);
  }
}

/** Fill `{region}` and `{account}` into a template path; unknown placeholders fail. */
export function fillTemplatePath(id: string, templatePath: string, region: string, account: string): string {
  for (const match of templatePath.matchAll(/\{([^}]*)\}/g)) {
    if (!PLACEHOLDERS.includes(match[1])) {
      fail(id, `templatePath '${templatePath}' has the unknown placeholder '{${match[1]}}'; use only {region} and {account}.`);
    }
  }
  return templatePath.split('{region}').join(region).split('{account}').join(account);
}

/** Validate waves and targets and name every action. */
export function planWaves(input: PlanInput): PlannedWave[] {
  const { id } = input;
  if (input.waves.length === 0) {
    fail(id, "waves is empty; pass at least one wave, e.g. waves: [{ waveName: 'Prod', targets: [{ region: 'eu-west-1' }] }].");
  }
  fillTemplatePath(id, input.templatePath, input.pipelineRegion, input.pipelineAccount);
  checkStackName(id, input.stackName, 'the pipeline');
  const reserved = input.reservedStageNames ?? [];
  const waveNames = new Set<string>();
  const allWaveNames = input.waves.map((w) => w.waveName);
  return input.waves.map((wave) => {
    if (!CODEPIPELINE_NAME.test(wave.waveName) || wave.waveName.length > 80) {
      fail(id, `waveName '${wave.waveName}' is not a valid stage name; use 1-80 characters from A-Z a-z 0-9 . @ _ -.`);
    }
    if (waveNames.has(wave.waveName)) fail(id, `waveName '${wave.waveName}' is used by two waves; give each wave its own name.`);
    waveNames.add(wave.waveName);
    if (reserved.includes(wave.waveName)) {
      fail(id, `waveName '${wave.waveName}' is the name of a stage the pipeline defines itself (${reserved.join(', ')}); give the wave another name, e.g. '${wave.waveName}Wave'.`);
    }
    for (const other of allWaveNames) {
      if (other !== wave.waveName && generatedStageName(other, wave.waveName)) {
        fail(id, `waveName '${wave.waveName}' is also the name of a stage of wave '${other}' (its change sets, or a part of a wave split at ${MAX_ACTIONS_PER_STAGE} actions); give the wave another name.`);
      }
    }
    const waveTargets = wave.targets ?? [];
    if (waveTargets.length === 0) {
      fail(id, `wave '${wave.waveName}' has no targets; pass at least one target, e.g. targets: [{ region: 'eu-west-1' }], or remove the wave.`);
    }
    const seen = new Set<string>();
    const targets = waveTargets.map((target, index) => {
      const where = `target ${index + 1} of wave '${wave.waveName}'`;
      checkRegion(id, target.region, where);
      if (target.stackName !== undefined) checkStackName(id, target.stackName, where);
      const account = target.account ?? input.pipelineAccount;
      checkAccount(id, account, where);
      const key = `${account}/${target.region}`;
      if (seen.has(key)) {
        fail(id, `region '${target.region}'${account === input.pipelineAccount ? '' : ` of account '${account}'`} appears twice in wave '${wave.waveName}'; list each region once per wave.`);
      }
      seen.add(key);
      const crossAccount = account !== input.pipelineAccount;
      return {
        region: target.region,
        account,
        crossAccount,
        stackName: target.stackName ?? input.stackName,
        templatePath: fillTemplatePath(id, input.templatePath, target.region, account),
        actionName: crossAccount ? `${target.region}.${account}` : target.region,
        parameterOverrides: target.parameterOverrides,
        index,
      };
    });
    return { waveName: wave.waveName, targets };
  });
}

/** Whether `name` is one of the stage names wave `base` may define: `base.ChangeSets`, `base.2`, `base.ChangeSets.2`, ... */
function generatedStageName(base: string, name: string): boolean {
  if (!name.startsWith(`${base}.`)) return false;
  return /^(ChangeSets|ChangeSets\.\d+|\d+)$/.test(name.slice(base.length + 1));
}

/** Split items into chunks; the first chunk holds `firstSize` items, the others `size`. */
export function chunk<T>(items: T[], firstSize: number, size: number): T[][] {
  const out: T[][] = [];
  let rest = items;
  let take = Math.max(1, firstSize);
  while (rest.length > 0) {
    out.push(rest.slice(0, take));
    rest = rest.slice(take);
    take = size;
  }
  return out;
}

/** Stage name for part `index` (0-based) of `parts` stages. */
export function partName(base: string, index: number, parts: number): string {
  return parts <= 1 || index === 0 ? base : `${base}.${index + 1}`;
}
