export * from './gate-rule';
export * from './gate-condition';
export * from './cloudwatch-alarm-rule';
export * from './deployment-window-rule';
export * from './lambda-invoke-rule';
export * from './variable-check-rule';
export * from './codebuild-rule';
export * from './commands-rule';
