/**
 * Reading CloudFormation: values inside a pipeline's `Properties` (literals vs intrinsics), the
 * synthesized templates a validation plugin is given, and the resolved properties of a pipeline
 * construct. The rules read pipelines only through this file and `pipeline-model.ts`.
 *
 * Values that are CloudFormation intrinsics (`Ref`, `Fn::*`) are unknown at synth time: readers
 * return `undefined` (or the `UNKNOWN` marker inside a string) rather than guess.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, IPolicyValidationContextBeta1, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { renderResource } from '../../private/cdk-internals';
import { ACCOUNT_ID } from '../../private/names';
import { PipelineCheckEnvironment } from '../pipeline-rule';

export const PIPELINE_TYPE = 'AWS::CodePipeline::Pipeline';

// ---------------------------------------------------------------------------------------------
// Values in CloudFormation JSON

/** Whether a value is a CloudFormation intrinsic (`{ Ref }`, `{ 'Fn::...' }`, `{ Condition }`): unknown at synth. */
export function isIntrinsic(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'));
}

/** A literal JSON object (not an array, not an intrinsic). */
export function isObject(value: unknown): value is { [key: string]: any } {
  return !!value && typeof value === 'object' && !Array.isArray(value) && !isIntrinsic(value);
}

/** A literal string, or undefined (absent or an intrinsic). */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The elements of a literal list (undefined when the list itself is an intrinsic or not a list). */
export function list(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** Whether every element of a list is known (no `Fn::If` etc. in it). */
export function allKnown(items: unknown[]): boolean {
  return items.every((i) => !isIntrinsic(i));
}

/** Marks the parts of an approximated string that are unknown at synth. */
export const UNKNOWN = '\u0000';

/**
 * A string with the parts that are unknown at synth replaced by `UNKNOWN`: enough to read the
 * account out of `arn:${AWS::Partition}:iam::222222222222:role/x` built with `Fn::Join`, or the
 * `#{ns.var}` references out of a configuration value that joins them with a `Ref`.
 */
export function approximateString(value: unknown, env: PipelineCheckEnvironment, depth = 0): string | undefined {
  if (depth > 10) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as { [key: string]: any };
  if (typeof v.Ref === 'string') return pseudo(v.Ref, env);
  if (Array.isArray(v['Fn::Join']) && v['Fn::Join'].length === 2 && typeof v['Fn::Join'][0] === 'string' && Array.isArray(v['Fn::Join'][1])) {
    return v['Fn::Join'][1].map((p: unknown) => approximateString(p, env, depth + 1) ?? UNKNOWN).join(v['Fn::Join'][0]);
  }
  const sub = v['Fn::Sub'];
  if (typeof sub === 'string') return sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => pseudo(name, env));
  return isIntrinsic(value) ? UNKNOWN : undefined;
}

function pseudo(name: string, env: PipelineCheckEnvironment): string {
  if (name === 'AWS::AccountId' && env.account) return env.account;
  if (name === 'AWS::Region' && env.region) return env.region;
  return UNKNOWN;
}

/** The account of an IAM role ARN, when it is written in the template (not an intrinsic). */
export function accountOfArn(value: unknown, env: PipelineCheckEnvironment): string | undefined {
  const arn = approximateString(value, env);
  if (!arn) return undefined;
  const account = arn.split(':')[4];
  return account && ACCOUNT_ID.test(account) ? account : undefined;
}

/** A concrete account or region (not a token, not CDK's `unknown-*` placeholder). */
export function concrete(value: string | undefined): string | undefined {
  if (!value || value.includes('${Token[') || value.startsWith('unknown-') || value.includes(UNKNOWN)) return undefined;
  return value;
}

// ---------------------------------------------------------------------------------------------
// Pipeline constructs and synthesized templates

/** Whether a construct is an `AWS::CodePipeline::Pipeline` resource (L1, or the L2's default child). */
export function isPipelineResource(c: IConstruct): c is CfnResource {
  return CfnResource.isCfnResource(c) && c.cfnResourceType === PIPELINE_TYPE;
}

/**
 * The `Properties` of a pipeline resource as they will be synthesized: overrides applied,
 * tokens resolved.
 * (aws-cdk-lib has no public API for it: see `renderResource` in src/private/cdk-internals.ts.)
 * Throws when a token cannot be resolved yet.
 */
export function resolvedProperties(resource: CfnResource): unknown {
  const stack = Stack.of(resource);
  const rendered = stack.resolve(renderResource(resource));
  return rendered?.Resources?.[stack.resolve(resource.logicalId)]?.Properties;
}

/** Every pipeline resource under `root`, keyed `<template file>|<logical id>`. */
export function pipelinesByTemplate(root: IConstruct): Map<string, CfnResource> {
  const ret = new Map<string, CfnResource>();
  for (const c of root.node.findAll()) {
    if (!isPipelineResource(c)) continue;
    try {
      const stack = Stack.of(c);
      ret.set(`${stack.templateFile}|${stack.resolve(c.logicalId)}`, c);
    } catch {
      // Not in a stack we can resolve: the finding is reported without a construct path.
    }
  }
  return ret;
}

/** A synthesized template file: its resources and size. */
export interface TemplateFile {
  readonly resources: { [logicalId: string]: any };
  readonly bytes: number;
}

export function readTemplate(templatePath: string): TemplateFile {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
  return { resources: template?.Resources ?? {}, bytes: fs.statSync(templatePath).size };
}

/**
 * The account and region of every template's stack, keyed by absolute template path.
 *
 * The plugin implements `IPolicyValidationPluginBeta1` so it works down to the peer minimum of
 * aws-cdk-lib, whose context type declares only `templatePaths` (and, on later releases,
 * `appConstruct`). Since the stable validation API, aws-cdk-lib passes every plugin the stable
 * `IPolicyValidationContext`, which adds `stackTemplates`: read it when present (this is the one
 * place that looks past the Beta1 type), else the cloud assembly manifest next to the template.
 */
export function stackEnvironment(context: IPolicyValidationContextBeta1, templatePath: string): PipelineCheckEnvironment {
  // `IPolicyValidationContext` (the stable type) is newer than the peer minimum, so its one field is spelled out here.
  const stable = context as {
    readonly stackTemplates?: ReadonlyArray<{ readonly templatePath: string; readonly accountId?: string; readonly region?: string }>;
  };
  const stack = (stable.stackTemplates ?? []).find((s) => path.resolve(s.templatePath) === path.resolve(templatePath));
  const env = stack ? { account: stack.accountId, region: stack.region } : environmentFromManifest(templatePath);
  return { account: concrete(env.account), region: concrete(env.region) };
}

/** Account and region of a template's stack, read from the cloud assembly manifest next to it. */
function environmentFromManifest(templatePath: string): PipelineCheckEnvironment {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(templatePath), 'manifest.json'), 'utf-8'));
    const file = path.basename(templatePath);
    for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
      if (artifact?.type !== 'aws:cloudformation:stack' || artifact.properties?.templateFile !== file) continue;
      const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(String(artifact.environment ?? ''));
      return match ? { account: match[1], region: match[2] } : {};
    }
  } catch {
    // No manifest (a template checked on its own): the environment is unknown.
  }
  return {};
}
