import { Template } from 'aws-cdk-lib/assertions';
import { runRecipe } from './recipe-block';
import { formatFindings, synthAndReport } from '../util';

describe('README recipes: actions without a factory', () => {
  let template: Template;
  let result: ReturnType<typeof synthAndReport>;
  beforeAll(() => {
    result = synthAndReport(runRecipe());
    template = Template.fromJSON(result.templates.Recipes);
  });

  const actionsOf = (stageName: string): any[] => {
    const [pipeline] = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'));
    return pipeline.Properties.Stages.find((s: any) => s.Name === stageName).Actions;
  };
  const statementsOfAction = (stageName: string, actionName: string): any[] => {
    const policies = Object.entries<any>(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith(`Pipeline${stageName}${actionName}CodePipelineActionRoleDefaultPolicy`));
    expect(policies).toHaveLength(1);
    return policies[0][1].Properties.PolicyDocument.Statement;
  };

  test('synthesizes with zero findings (CloudFormation engine, cdk-nag, PipelineChecks, Control Tower, IAM audit)', () => {
    expect(formatFindings(result.findings)).toBe('');
  });

  test('Device Farm: Test/AWS/DeviceFarm with its configuration; IAM on the one project (ListProjects on *)', () => {
    const [farm] = actionsOf('Verify').filter((a) => a.Name === 'DeviceFarm');
    expect(farm.ActionTypeId).toEqual({ Category: 'Test', Owner: 'AWS', Provider: 'DeviceFarm', Version: '1' });
    expect(Object.keys(farm.Configuration).sort()).toEqual(['App', 'AppType', 'DevicePoolArn', 'ProjectId', 'Test', 'TestType']);
    expect(farm.InputArtifacts).toEqual([{ Name: 'BuildOutput' }]);
    const statements = statementsOfAction('Verify', 'DeviceFarm');
    const wildcard = statements.filter((st) => st.Resource === '*');
    expect(wildcard.map((st) => st.Action)).toEqual(['devicefarm:ListProjects']);
    expect(JSON.stringify(statements)).not.toMatch(/devicefarm:\*/);
  });

  test('Jenkins: a Custom action type registered in the stack, the action Owner Custom', () => {
    const [jenkins] = actionsOf('Verify').filter((a) => a.Name === 'Jenkins');
    expect(jenkins.ActionTypeId).toEqual({ Category: 'Test', Owner: 'Custom', Provider: 'CompanyJenkins', Version: '1' });
    expect(jenkins.Configuration).toEqual({ ProjectName: 'app-e2e' });
    template.hasResourceProperties('AWS::CodePipeline::CustomActionType', { Category: 'Test', Provider: 'CompanyJenkins' });
  });

  test('AppConfig: Deploy/AWS/AppConfig; StartDeployment on the one application/environment/profile/strategy only', () => {
    const [appConfig] = actionsOf('Release').filter((a) => a.Name === 'AppConfig');
    expect(appConfig.ActionTypeId).toEqual({ Category: 'Deploy', Owner: 'AWS', Provider: 'AppConfig', Version: '1' });
    expect(appConfig.Configuration).toMatchObject({ Application: 'abc1234', Environment: 'env5678', ConfigurationProfile: 'prof901' });
    const start = statementsOfAction('Release', 'AppConfig').find((st) => st.Action === 'appconfig:StartDeployment');
    expect(start.Resource).toHaveLength(4);
    expect(JSON.stringify(start.Resource)).not.toContain('*');
  });

  test('Service Catalog: Deploy/AWS/ServiceCatalog; product actions on the one product, no managed admin policy', () => {
    const [sc] = actionsOf('Release').filter((a) => a.Name === 'ServiceCatalog');
    expect(sc.ActionTypeId).toEqual({ Category: 'Deploy', Owner: 'AWS', Provider: 'ServiceCatalog', Version: '1' });
    expect(sc.Configuration).toMatchObject({ ProductId: 'prod-abcdefghijklm', ProductType: 'CLOUD_FORMATION_TEMPLATE', TemplateFilePath: 'product.template.json' });
    const statements = statementsOfAction('Release', 'ServiceCatalog');
    const product = statements.find((st) => [].concat(st.Action).includes('servicecatalog:CreateProvisioningArtifact' as never));
    expect(product.Resource).toBe('arn:aws:catalog:eu-west-1:111111111111:product/prod-abcdefghijklm');
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toMatch(/AWSServiceCatalogAdminFullAccess/);
  });
});
