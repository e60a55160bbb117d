// aws-cdk-lib's CloudFormation validation engine (`@aws/cloudformation-validate`), shared by every test file of a
// jest worker (the jest config maps the module name here).
//
// Why: jest gives every test file its own module registry, so aws-cdk-lib's `CloudFormationValidatePlugin`
// singleton, and the engine it builds from WebAssembly and the Rego rules of the template's resource types, was
// rebuilt in every test file, in both flag sets: about a third of `npm test`'s time (node --cpu-prof of one synth:
// `WasmCompositeEngine` construction was most of it). Loaded with Node's own require, this module and its engines
// live once per worker process; aws-cdk-lib still decides which rules an engine gets, and gets an engine built from
// exactly that configuration (cached by its content), so what is validated does not change.
'use strict';
// jest's own `module` core module makes `createRequire` return a jest require; Node's real one (Node >= 20.16) loads
// the cache module outside jest's registry, once per process.
const nativeModule = process.getBuiltinModule('module');

module.exports = nativeModule.createRequire(__filename)('./cloudformation-validate-cache.js');
