// Snapshot files per flag set: the `defaults` project keeps `__snapshots__/<test>.snap`, the `cdk-init`
// project `__snapshots__/<test>.cdk-init.snap`, because templates differ under the flags (e.g. `arn:aws:`
// partition literals). Each project maps the other's files back to their test too, so neither reports
// them obsolete. See ../harness.ts.
const path = require('path');

/** @param {string} suffix infix before the snapshot extension ('' or '.cdk-init') */
function resolverFor(suffix) {
  return {
    resolveSnapshotPath: (testPath, ext) => path.join(path.dirname(testPath), '__snapshots__', `${path.basename(testPath)}${suffix}${ext}`),
    resolveTestPath: (snapshotPath, ext) =>
      path.join(path.dirname(path.dirname(snapshotPath)), path.basename(snapshotPath, ext).replace(/\.cdk-init$/, '')),
    testPathForConsistencyCheck: path.join('some', 'dir', 'example.test.ts'),
  };
}

module.exports = { resolverFor };
