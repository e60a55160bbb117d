// Setup file of the jest project `defaults`: construct tests synthesize with aws-cdk-lib's defaults (see ../harness.ts).
process.env.CDP_FLAG_SET = 'defaults';
