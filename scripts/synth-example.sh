#!/usr/bin/env bash
# Synthesize the example apps with the real `cdk` CLI into examples/cdk.out, examples/cdk.out/cdk-app and
# examples/cdk.out/cdk-app-cross-region.
# No AWS credentials needed, no connection opened (no notices, telemetry and IMDS lookups off).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export CDK_DISABLE_CLI_TELEMETRY=true AWS_EC2_METADATA_DISABLED=true
cd "$root"
npx projen bundle >/dev/null   # the notifier Lambda is bundled at build time, never at synth
cd examples
npx cdk synth --no-notices --quiet
echo "Synthesized: $(ls cdk.out/*.template.json | xargs -n1 basename | tr '\n' ' ')"
# The CDK app deployed by its own pipeline (DeployTarget.cdkStage, asset publishing, selfUpdate).
npx cdk synth --no-notices --quiet --app "npx ts-node --project ../tsconfig.tools.json cdk-app-main.ts" --output cdk.out/cdk-app
echo "Synthesized: $(cd cdk.out/cdk-app && find . -name '*.template.json' | sort | tr '\n' ' ')"
# The same CDK app deployed in waves by CrossRegionCfnPipeline (cdkStages, asset publishing, selfUpdate).
npx cdk synth --no-notices --quiet --app "npx ts-node --project ../tsconfig.tools.json cdk-app-main.ts" -c pipeline=cross-region --output cdk.out/cdk-app-cross-region
echo "Synthesized: $(cd cdk.out/cdk-app-cross-region && find . -name '*.template.json' | sort | tr '\n' ' ')"
