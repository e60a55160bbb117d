import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { runRecipe } from '../deploy/recipe-block';
import { synthAndReport } from '../util';
import { simulate, SimulationRequest } from '../util/iam';

/** The action roles of the README recipes (test/deploy/recipes.test.ts), simulated: their own resources only. */
const APP_CONFIG = 'arn:aws:appconfig:eu-west-1:111111111111';
const FARM = 'arn:aws:devicefarm:us-west-2:111111111111';
const PROJECT_ID = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
const role = (stage: string, action: string) => `Recipes/Pipeline/Pipeline/${stage}/${action}/CodePipelineActionRole`;

let assembly: CloudAssembly;
async function expectRequest(principal: string, request: SimulationRequest, allowed: boolean) {
  const outcome = await simulate(assembly, principal, request);
  if (outcome.allowed !== allowed) throw new Error(`${principal} ${request.action} on ${request.resource}: expected ${allowed ? 'Allowed' : 'denied'}, got ${outcome.reason}`);
}

beforeAll(() => {
  ({ assembly } = synthAndReport(runRecipe()));
});

describe('README recipes IAM, simulated', () => {
  test('AppConfig: deploys to its application, environment, profile and strategy; reads its own deployments only', async () => {
    const r = role('Release', 'AppConfig');
    for (const resource of [`${APP_CONFIG}:application/abc1234`, `${APP_CONFIG}:application/abc1234/environment/env5678`,
      `${APP_CONFIG}:application/abc1234/configurationprofile/prof901`, `${APP_CONFIG}:deploymentstrategy/AppConfig.Linear50PercentEvery30Seconds`]) {
      await expectRequest(r, { action: 'appconfig:StartDeployment', resource }, true);
    }
    await expectRequest(r, { action: 'appconfig:GetDeployment', resource: `${APP_CONFIG}:application/abc1234/environment/env5678/deployment/7` }, true);
    await expectRequest(r, { action: 'appconfig:StartDeployment', resource: `${APP_CONFIG}:application/other99` }, false);
    await expectRequest(r, { action: 'appconfig:GetDeployment', resource: `${APP_CONFIG}:application/abc1234/environment/other/deployment/7` }, false);
  });

  test('Device Farm: uploads to and runs in its one project only', async () => {
    const r = role('Verify', 'DeviceFarm');
    await expectRequest(r, { action: 'devicefarm:CreateUpload', resource: `${FARM}:project:${PROJECT_ID}` }, true);
    await expectRequest(r, { action: 'devicefarm:GetRun', resource: `${FARM}:run:${PROJECT_ID}/run-1` }, true);
    await expectRequest(r, { action: 'devicefarm:CreateUpload', resource: `${FARM}:project:other-project` }, false);
    await expectRequest(r, { action: 'devicefarm:DeleteProject', resource: `${FARM}:project:${PROJECT_ID}` }, false);
  });

  test('Service Catalog: versions of its one product only', async () => {
    const r = role('Release', 'ServiceCatalog');
    const product = 'arn:aws:catalog:eu-west-1:111111111111:product/prod-abcdefghijklm';
    await expectRequest(r, { action: 'servicecatalog:CreateProvisioningArtifact', resource: product }, true);
    await expectRequest(r, { action: 'servicecatalog:CreateProvisioningArtifact', resource: 'arn:aws:catalog:eu-west-1:111111111111:product/prod-other' }, false);
    await expectRequest(r, { action: 'servicecatalog:DeleteProduct', resource: product }, false);
  });
});
