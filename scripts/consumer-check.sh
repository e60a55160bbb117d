#!/usr/bin/env bash
# Consumer check: use the library the way our users will.
#  1. compile src/ against the peer-dependency minimum of aws-cdk-lib (the range we promise is true);
#  2. jsii-compile and `npm pack` the library;
#  3. install the tarball into a fresh TypeScript CDK app with aws-cdk-lib, constructs and the
#     real `cdk` CLI from the registry, and `cdk synth` the example app there.
# Opens no connection to AWS: the CLI runs with --no-notices and telemetry/IMDS disabled.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Outside the repository, so nothing of ours (node_modules, @types) leaks into the "fresh" app.
work=$(mktemp -d "${TMPDIR:-/tmp}/cdp-consumer-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
export CDK_DISABLE_CLI_TELEMETRY=true AWS_EC2_METADATA_DISABLED=true
mkdir -p "$work/peer-min" "$work/app"

peer_cdk=$(node -p "require('$root/package.json').peerDependencies['aws-cdk-lib'].replace(/^[\^~]/, '')")
peer_constructs=$(node -p "require('$root/package.json').peerDependencies['constructs'].replace(/^[\^~]/, '')")
test_cdk=$(node -p "require('$root/package.json').devDependencies['aws-cdk-lib']")
cli=$(node -p "require('$root/package.json').devDependencies['aws-cdk']")

echo "== 1/3 compile src/ against the peer minimum aws-cdk-lib@$peer_cdk constructs@$peer_constructs"
(cd "$work/peer-min" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "aws-cdk-lib@$peer_cdk" "constructs@$peer_constructs" >/dev/null)
cat > "$work/peer-min/tsconfig.json" <<JSON
{
  "extends": "$root/tsconfig.json",
  "compilerOptions": {
    "noEmit": true,
    "rootDir": "$root/src",
    "baseUrl": "$root",
    "typeRoots": ["$root/node_modules/@types"],
    "paths": {
      "aws-cdk-lib": ["$work/peer-min/node_modules/aws-cdk-lib"],
      "aws-cdk-lib/*": ["$work/peer-min/node_modules/aws-cdk-lib/*"],
      "constructs": ["$work/peer-min/node_modules/constructs"]
    }
  },
  "include": ["$root/src/**/*.ts"],
  "exclude": ["$root/src/**/*.lambda.ts", "$root/src/shared.lambda/**"]
}
JSON
npx tsc -p "$work/peer-min/tsconfig.json"
echo "   src/ compiles against aws-cdk-lib@$peer_cdk"

echo "== 2/3 jsii compile, API.md check, npm pack"
(cd "$root" && npx projen compile >/dev/null && npm pack --pack-destination "$work" --loglevel=error >/dev/null)
npx jsii-docgen -o "$work/API.md" >/dev/null
if ! diff -q "$work/API.md" "$root/API.md" >/dev/null 2>&1; then
  echo "consumer check: API.md is stale; run 'npx projen docgen' (or 'npx projen build') and commit API.md"; exit 1
fi
echo "   API.md is current"
tarball=$(ls "$work"/cdk-delivery-pipelines-*.tgz)
echo "   packed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
listing=$(tar -tzf "$tarball")   # (not piped into grep -q: with pipefail, tar's SIGPIPE would fail the check)
if ! grep -qx 'package/assets/notifications/notify.lambda/index.js' <<<"$listing"; then
  echo "consumer check: the notifier Lambda bundle is missing from the package"; exit 1
fi

echo "== 3/3 fresh CDK app: install the tarball with aws-cdk-lib@$test_cdk and aws-cdk@$cli, then cdk synth"
cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tarball" "aws-cdk-lib@$test_cdk" "constructs@^10" "aws-cdk@$cli" typescript@5 ts-node@10 @types/node@20 >/dev/null
sed -e "s#from '../src'#from 'cdk-delivery-pipelines'#" "$root/examples/app.ts" > app.ts
cp "$root/examples/main.ts" main.ts
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "strict": true, "esModuleInterop": true, "skipLibCheck": false, "noEmit": true } }
JSON
echo '{ "app": "npx ts-node main.ts" }' > cdk.json
npx tsc -p tsconfig.json
npx cdk synth --no-notices --quiet >/dev/null
stacks=$(ls cdk.out/*.template.json | wc -l)
echo "   cdk synth in a fresh consumer app: $stacks templates in cdk.out"
