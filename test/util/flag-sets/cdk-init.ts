// Setup file of the jest project `cdk-init`: construct tests synthesize with the flags `cdk init` writes (see ../harness.ts).
process.env.CDP_FLAG_SET = 'cdk-init';
