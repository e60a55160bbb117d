/*
 * Issue 12's everyday mistakes (and issue 22's misspelled keys), made as a plain-JavaScript user makes them (no types, no `as any`):
 * each must fail at synth with our clear message, never a TypeError.
 *
 * Plain CommonJS, no build step. Two ways it runs:
 *  - test/js/plain-js.test.ts calls `check(lib, cdk)` with this repository's src/ (every `npm test`);
 *  - scripts/consumer-check.sh copies it into the fresh consumer app and runs `node plain-js-mistakes.js`,
 *    which requires the packed, jsii-compiled package exactly as a JavaScript app does.
 */
'use strict';

/** The mistakes: what a user writes, and the message that must come back. */
function mistakes(lib, cdk) {
  const { App, Stack } = cdk;
  const codecommit = cdk.aws_codecommit;
  const { SourceBuildDeployPipeline, CrossRegionCfnPipeline, PipelineSource, DeployTarget } = lib;
  const env = { account: '111111111111', region: 'eu-west-1' };
  const stack = (props = { env }) => new Stack(new App(), 'S', props);
  let repos = 0;
  const repo = (s) => codecommit.Repository.fromRepositoryName(s, `Repo${repos++}`, 'app');
  const target = () => DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'BuildOutput::app.json', allowEmptyExecutionPolicy: true });
  const props = (s, extra) => Object.assign({ source: PipelineSource.codeCommit(repo(s)), buildStep: {}, stages: [{ stageName: 'Prod', targets: [target()] }] }, extra);
  const pipeline = (s, p) => new SourceBuildDeployPipeline(s, 'Pipeline', p);

  return [
    {
      mistake: 'SourceBuildDeployPipeline without source',
      run: () => { const s = stack(); pipeline(s, props(s, { source: undefined })); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': source is missing; pass a source, e.g. PipelineSource\.codeCommit/,
    },
    {
      mistake: 'CrossRegionCfnPipeline without buildStep',
      run: () => { const s = stack(); new CrossRegionCfnPipeline(s, 'Cfn', { source: PipelineSource.codeCommit(repo(s)), stackName: 'app', waves: [] }); },
      expected: /^CrossRegionCfnPipeline 'Cfn': buildStep is missing; pass build options/,
    },
    {
      mistake: 'stages as one object',
      run: () => { const s = stack(); pipeline(s, props(s, { stages: { stageName: 'Prod', targets: [target()] } })); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': stages is an object with stageName, targets, not an array; pass a list of stages/,
    },
    {
      mistake: 'targets not an array',
      run: () => { const s = stack(); pipeline(s, props(s, { stages: [{ stageName: 'Prod', targets: target() }] })); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': stages\[0\]\.targets is an instance of \w+, not an array/,
    },
    {
      mistake: 'timeout: 30 (a number, not a Duration)',
      run: () => { const s = stack(); pipeline(s, props(s, { buildStep: { timeout: 30 } })); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': buildStep\.timeout is a number \(30\), not a Duration; pass e\.g\. Duration\.minutes\(30\)/,
    },
    {
      mistake: 'source: repo (the repository, not PipelineSource.codeCommit(repo))',
      run: () => { const s = stack(); pipeline(s, props(s, { source: repo(s) })); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': source is an instance of \w+, not a PipelineSource; pass a source, e\.g\. PipelineSource\.codeCommit\(repository\)/,
    },
    {
      mistake: 'DeployTarget.cloudFormation without templatePath',
      run: () => DeployTarget.cloudFormation({ stackName: 'app', allowEmptyExecutionPolicy: true }),
      expected: /^DeployTarget\.cloudFormation: options\.templatePath is missing; pass the template in an artifact/,
    },
    {
      mistake: "DeployTarget.stackSet with regions: 'eu-west-1' (a string, not a list)",
      run: () => DeployTarget.stackSet({ stackSetName: 'baseline', template: 'baseline.yaml', accounts: ['222222222222'], regions: 'eu-west-1' }),
      expected: /^DeployTarget\.stackSet: options\.regions is a string \('eu-west-1'\), not an array; pass a list of strings/,
    },
    {
      mistake: 'approval gate as a plain object',
      run: () => { const s = stack(); pipeline(s, props(s, { stages: [{ stageName: 'Prod', targets: [target()], gate: { manual: true } }] })); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': stages\[0\]\.gate is an object with manual, not an IStageGate; pass a gate, e\.g\. new ApprovalGate/,
    },
    {
      mistake: "reviewPolicy: 'SKIP_WHEN_EMPTY' (the enum member's name, not ReviewPolicy.SKIP_WHEN_EMPTY)",
      run: () => {
        const s = stack();
        pipeline(s, props(s, { stages: [{ stageName: 'Prod', targets: [target()], reviewChangeSets: true, reviewPolicy: 'SKIP_WHEN_EMPTY' }] }));
      },
      expected: /^SourceBuildDeployPipeline 'Pipeline': stages\[0\]\.reviewPolicy .*'SKIP_WHEN_EMPTY'.*ReviewPolicy/,
    },
    {
      mistake: 'no props at all',
      run: () => new SourceBuildDeployPipeline(stack(), 'Pipeline'),
      expected: /^SourceBuildDeployPipeline 'Pipeline': props is missing; pass an object with at least source, stages\./,
    },
    {
      mistake: 'a target in another region, in a stack without env',
      run: () => {
        const s = stack({});
        pipeline(s, props(s, { stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'BuildOutput::app.json', allowEmptyExecutionPolicy: true, region: 'us-west-2' })] }] }));
      },
      expected: /^SourceBuildDeployPipeline 'Pipeline': stage 'Prod', action '[^']+' deploys to region 'us-west-2' but stack 'S' has no region; .*give the stack an env/,
    },
    {
      mistake: '#{variables.releaseTag} with no such pipeline variable (found by PipelineChecks at synth)',
      run: () => {
        const s = stack();
        pipeline(s, props(s, { buildStep: { environmentVariables: { TAG: { value: '#{variables.releaseTag}' } } } }));
        lib.PipelineChecks.enforce(s);
        s.node.root.synth();
      },
      expected: /\[CDP-VARIABLE-REFERENCE\].*variables\.releaseTag/,
    },
    // Issue 22: a misspelled or misplaced key is an error naming it, the closest known key and the valid keys.
    {
      mistake: 'notifications: { emial: [...] } (nobody would get failure e-mails)',
      run: () => { const s = stack(); pipeline(s, props(s, { notifications: { emial: ['ops@example.com'] } })); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': notifications has an unknown key 'emial' \(did you mean 'emails'\?\); the valid keys are topic, emails, /,
    },
    {
      mistake: 'rollbackOnAlarm instead of rollbackOnAlarms (no rollback)',
      run: () => { const s = stack(); new lib.ApprovalGate(s, 'Gate', { rollbackOnAlarm: [] }); },
      expected: /^ApprovalGate 'Gate': props has an unknown key 'rollbackOnAlarm' \(did you mean 'rollbackOnAlarms'\?\); the valid keys are /,
    },
    {
      mistake: 'approvers on a stage instead of its gate (nobody could approve)',
      run: () => { const s = stack(); pipeline(s, props(s, { stages: [{ stageName: 'Prod', targets: [target()], approvers: [] }] })); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': stages\[0\] has an unknown key 'approvers'; the valid keys are stageName, targets, gate, /,
    },
    {
      mistake: 'build: instead of buildStep: (no Build stage)',
      run: () => { const s = stack(); const p = props(s, { build: {} }); delete p.buildStep; pipeline(s, p); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': props has an unknown key 'build' \(did you mean 'buildStep'\?\)/,
    },
    {
      mistake: 'approval: instead of gate: on a stage',
      run: () => { const s = stack(); pipeline(s, props(s, { stages: [{ stageName: 'Prod', targets: [target()], approval: new lib.ApprovalGate(s, 'Gate', { manual: true }) }] })); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': stages\[0\] has an unknown key 'approval'; the valid keys are stageName, targets, gate, /,
    },
    {
      mistake: 'production: \'yes\' on a stage (a string, not a boolean)',
      run: () => { const s = stack(); pipeline(s, props(s, { stages: [{ stageName: 'Prod', targets: [target()], production: 'yes' }] })); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': stages\[0\]\.production is a string \('yes'\), not a boolean; pass true or false/,
    },
    {
      mistake: 'DeliveryDashboard with a pipeline name instead of a list of them',
      run: () => { const s = stack(); new lib.DeliveryDashboard(s, 'Delivery', { pipelineNames: 'app-release' }); },
      expected: /^DeliveryDashboard 'Delivery': pipelineNames is a string \('app-release'\), not an array; pass a list/,
    },
    {
      mistake: 'DeliveryDashboard alarms with noDeploymentsFor (misspelt)',
      run: () => { const s = stack(); new lib.DeliveryDashboard(s, 'Delivery', { pipelineNames: ['app'], alarms: { noDeploymentsFor: cdk.Duration.days(2) } }); },
      expected: /^DeliveryDashboard 'Delivery': alarms has an unknown key 'noDeploymentsFor' \(did you mean 'noDeploymentFor'\?\)/,
    },
    {
      mistake: 'pushFilter on a CodeCommit source (trigger filters exist for connection sources only)',
      run: () => { const s = stack(); PipelineSource.codeCommit(repo(s), { pushFilter: [{ branchesIncludes: ['main'] }] }); },
      expected: /^PipelineSource\.codeCommit: options\.pushFilter is an option of PipelineSource\.connection only: .*`branch`/,
    },
    {
      mistake: 'DeployStrategy.canary(param.valueAsNumber, ...) (a deploy-time token where a literal is read at synth)',
      run: () => { const s = stack(); lib.DeployStrategy.canary(new cdk.CfnParameter(s, 'Percent', { type: 'Number' }).valueAsNumber, cdk.Duration.minutes(5)); },
      expected: /^DeployStrategy\.canary: percent is a token \(a CloudFormation parameter or another value known only at deploy time\), not a literal/,
    },
    {
      mistake: 'addWebhook({ auth: \'iam\' }) (a string where WebhookAuth.iam() is meant)',
      run: () => { const s = stack(); pipeline(s, props(s)).addWebhook({ auth: 'iam' }); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': options\.auth is a string \('iam'\), not a WebhookAuth; pass WebhookAuth\.hmac\(\) or WebhookAuth\.iam\(\)/,
    },
    {
      mistake: 'a stack output put directly in environmentVariables (not as { value })',
      run: () => { const s = stack(); const t = target(); pipeline(s, props(s, { stages: [{ stageName: 'Prod', targets: [t], postDeployTests: [{ name: 'Smoke', environmentVariables: { API_URL: t.output('ApiUrl') } }] }] })); },
      expected: /^SourceBuildDeployPipeline 'Pipeline': stages\[0\]\.postDeployTests\[0\]\.environmentVariables\.API_URL is a string token .*not an object; pass e\.g\. \{ value: /,
    },
    {
      mistake: 'target.output(name, stack): the stack where the options go',
      run: () => { const s = stack(); target().output('ApiUrl', s); },
      expected: /^DeployTarget\.output: options is the stack 'S' itself, not the options; pass \{ stack \}/,
    },
    {
      mistake: 'target.output with a misspelled option (stak)',
      run: () => { const s = stack(); target().output('ApiUrl', { stak: s }); },
      expected: /^DeployTarget\.output: options has an unknown key 'stak' \(did you mean 'stack'\?\)/,
    },
    {
      mistake: "failureResult: 'RETRY' with failureRules (CodePipeline cannot retry a stage automatically that has on-failure conditions)",
      run: () => {
        const s = stack();
        const rule = new lib.VariableCheckRule({ variable: '#{SourceVariables.BranchName}', value: 'main' });
        new lib.ApprovalGate(s, 'Gate', { failureRules: [rule], failureResult: 'RETRY' });
      },
      expected: /^ApprovalGate 'Gate': failureResult RETRY is not allowed on failure; use codepipeline\.Result\.ROLLBACK or codepipeline\.Result\.FAIL/,
    },
    {
      mistake: 'one failure rule given as failureRules: rule (not a list)',
      run: () => { const s = stack(); new lib.ApprovalGate(s, 'Gate', { failureRules: new lib.VariableCheckRule({ variable: '#{SourceVariables.BranchName}', value: 'main' }) }); },
      expected: /^ApprovalGate 'Gate': failureRules is an instance of VariableCheckRule, not an array/,
    },
  ];
}

/** Run every mistake; returns one line per mistake that did not end in its message (empty: all good). */
function check(lib, cdk) {
  const failures = [];
  for (const m of mistakes(lib, cdk)) {
    try {
      m.run();
      failures.push(`${m.mistake}: no error`);
    } catch (e) {
      if (e instanceof TypeError || !m.expected.test(String(e && e.message))) {
        failures.push(`${m.mistake}: ${e && e.name}: ${e && e.message}`);
      }
    }
  }
  return failures;
}

module.exports = { mistakes, check };

if (require.main === module) {
  // As a JavaScript app: the installed package and its peer aws-cdk-lib.
  const failures = check(require('cdk-delivery-pipelines'), require('aws-cdk-lib'));
  const total = mistakes(require('cdk-delivery-pipelines'), require('aws-cdk-lib')).length;
  if (failures.length > 0) {
    console.error(`plain JavaScript: ${failures.length} of ${total} mistakes did not end in our message:\n- ${failures.join('\n- ')}`);
    process.exit(1);
  }
  console.log(`plain JavaScript: all ${total} mistakes end in our clear message`);
}
