// Loaded by Node itself (not by jest's registry): one instance per process. See ./cloudformation-validate.js.
'use strict';
const crypto = require('crypto');
const { createRequire } = require('module');

const engineModule = createRequire(require.resolve('aws-cdk-lib/package.json'))('@aws/cloudformation-validate');

/** Engines by the sha256 of their configuration (aws-cdk-lib passes the Rego rules of the template's resource types). */
const engines = new Map();

/**
 * Stands in for `CompositeEngine`: `new CompositeEngine(config)` returns a view of the engine built once for that
 * configuration. aws-cdk-lib frees its engine when it builds another or is disposed; the shared engine stays.
 */
function CompositeEngine(config) {
  const json = JSON.stringify(config ?? {});
  const key = crypto.createHash('sha256').update(json).digest('hex');
  let engine = engines.get(key);
  if (!engine) {
    // Plain data re-made in this realm: the engine accepts only plain objects of its own realm, and a test file's
    // objects come from the jest sandbox's.
    engine = new engineModule.CompositeEngine(JSON.parse(json));
    engines.set(key, engine);
  }
  return {
    validateTemplate: (template, options) => engine.validateTemplate(template, options === undefined ? undefined : JSON.parse(JSON.stringify(options))),
    free() { /* shared: kept for the other test files of this worker */ },
  };
}

module.exports = { ...engineModule, CompositeEngine, sharedEngineCount: () => engines.size };
